using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Weights;

public sealed class HubWeightsReferenceTests
{
    [Theory]
    [InlineData("hf:timm/dla34.in1k", "timm/dla34.in1k", "main")]
    [InlineData("hf:timm/dla34.in1k@v1.0", "timm/dla34.in1k", "v1.0")]
    [InlineData("hf:timm/dla60x_c.in1k@refs/pr/1", "timm/dla60x_c.in1k", "refs/pr/1")]
    public void A_hub_reference_names_repository_and_revision(string text, string repo, string revision)
    {
        var reference = HubWeightsReference.Parse(text);

        Assert.Equal(repo, reference.Repo);
        Assert.Equal(revision, reference.Revision);
        Assert.Equal($"hf:{repo}@{revision}", reference.ToString());
    }

    [Theory]
    [InlineData("hf:")]
    [InlineData("hf:timm/")]
    [InlineData("hf:timm/dla34.in1k@")]
    [InlineData("hf:timm/../etc")]
    [InlineData("hf:timm/a--b")]
    [InlineData("hf:timm/dla34.in1k@..")]
    [InlineData("hf:a/b/c")]
    public void A_malformed_reference_is_refused(string text)
    {
        Assert.Throws<FormatException>(() => HubWeightsReference.Parse(text));
        Assert.False(HubWeightsReference.TryParse(text, out _));
    }

    [Fact]
    public void A_path_is_not_a_hub_reference()
    {
        Assert.False(HubWeightsReference.IsHubReference("weights/dla34.safetensors"));
        Assert.False(HubWeightsReference.TryParse("weights/dla34.safetensors", out _));
    }
}
