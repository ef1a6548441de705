import SluiceCore
import Testing

struct AWSRegionNameTests {
    @Test(arguments: ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1", "eu-central-1", "il-central-1", "us-isob-east-1"])
    func realRegionNamesAreValid(_ name: String) {
        #expect(AWSRegionName.isValid(name))
    }

    @Test(arguments: [
        "", "useast1", "us-east", "us-east-", "-us-east-1", "US-EAST-1", "us_east_1", "us east 1", "us-east-1a", "us--east-1",
        "bogus value", "us-east-1.evil.example", "us-east-1/x", "us-eäst-1", String(repeating: "a-", count: 16) + "1",
    ])
    func anythingElseIsRefused(_ name: String) {
        #expect(!AWSRegionName.isValid(name))
    }
}
