import SluiceCore
import Testing

struct CredentialsEnvironmentTests {
    @Test func readsStaticCredentialsAndRegion() throws {
        let env = AWSEnvironment([
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SECURITY_TOKEN": "T",
            "AWS_DEFAULT_REGION": "eu-west-1", "AWS_PROFILE": "work",
        ])
        #expect(try env.credentials() == AWSCredentials(accessKeyId: "AKID", secretAccessKey: "S", sessionToken: "T"))
        #expect(env.region == "eu-west-1")
        #expect(AWSEnvironment(["AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "x"]).region == "us-east-2")
        #expect(env.profile == "work")
        #expect(AWSEnvironment([:]).profile == "default")
        #expect(try AWSEnvironment([:]).credentials() == nil)
        #expect(AWSEnvironment([:]).credentialsFilePath(home: "/h") == "/h/.aws/credentials")
        #expect(AWSEnvironment(["AWS_CONFIG_FILE": "/etc/aws"]).configFilePath(home: "/h") == "/etc/aws")
        let e = #expect(throws: CredentialsError.self) { try AWSEnvironment(["AWS_ACCESS_KEY_ID": "A"]).credentials() }
        #expect(e?.code == .partialCredentials)
    }

    @Test func webIdentityAndIMDSSwitches() {
        let env = AWSEnvironment([
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t",
            "AWS_EC2_METADATA_DISABLED": "TRUE",
        ])
        #expect(env.webIdentity?.roleArn == "arn:aws:iam::123456789012:role/r")
        #expect(env.webIdentity?.tokenFile == "/t")
        #expect(env.webIdentity?.sessionName == nil)
        #expect(!env.imdsEnabled)
        #expect(AWSEnvironment([:]).imdsEnabled)
        #expect(AWSEnvironment(["AWS_ROLE_ARN": "x"]).webIdentity == nil)
    }

    @Test(arguments: [
        (["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"], "http://169.254.170.2/v2/credentials/abc"),
        (["AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://creds.example.com/x"], "https://creds.example.com/x"),
        (["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:8080/x"], "http://127.0.0.1:8080/x"),
        (["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"], "http://169.254.170.23/v1/credentials"),
        (["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://[fd00:ec2::23]/v1/credentials"], "http://[fd00:ec2::23]/v1/credentials"),
        (["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://localhost/x"], "http://localhost/x"),
    ] as [([String: String], String)])
    func acceptsContainerEndpoints(_ vars: [String: String], _ url: String) throws {
        #expect(try AWSEnvironment(vars).containerEndpoint()?.url == url)
    }

    @Test(arguments: [
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://evil.example/x"],
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1.evil.example/x"],
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1@evil.example/x"],
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "ftp://127.0.0.1/x"],
        ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "@evil.example/x"],
        ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/x", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\r\nX-Injected: 1"],
    ])
    func refusesUnsafeContainerEndpoints(_ vars: [String: String]) {
        #expect(throws: CredentialsError.self) { try AWSEnvironment(vars).containerEndpoint() }
    }

    @Test func containerAuthorizationSources() throws {
        let endpoint = try AWSEnvironment([
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/x", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/token",
        ]).containerEndpoint()
        #expect(endpoint?.authorizationToken == "tok")
        #expect(endpoint?.authorizationTokenFile == "/var/run/token")
        #expect(try AWSEnvironment([:]).containerEndpoint() == nil)
    }

    @Test func buildsWebIdentityForm() throws {
        let r = try STSWebIdentityRequest(
            roleArn: "arn:aws:iam::123456789012:role/r", roleSessionName: "sluice@host", webIdentityToken: "ey.J+/=",
            durationSeconds: 3600)
        #expect(r.formBody
                == "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=sluice%40host&WebIdentityToken=ey.J%2B%2F%3D&DurationSeconds=3600")
        #expect(STSWebIdentityRequest.endpoint(region: "eu-west-1") == "https://sts.eu-west-1.amazonaws.com/")
        for name in ["a", String(repeating: "a", count: 65), "has space", "semi;colon", "tilde~"] {
            #expect(throws: CredentialsError.self) {
                try STSWebIdentityRequest(roleArn: "r", roleSessionName: name, webIdentityToken: "t")
            }
        }
        #expect(throws: CredentialsError.self) {
            try STSWebIdentityRequest(roleArn: "r", roleSessionName: "ok", webIdentityToken: "t", durationSeconds: 60)
        }
    }
}
