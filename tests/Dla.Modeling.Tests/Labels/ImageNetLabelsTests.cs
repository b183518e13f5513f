using Dla.Modeling.Labels;

namespace Dla.Modeling.Tests.Labels;

public sealed class ImageNetLabelsTests
{
    [Fact]
    public void The_table_holds_1000_names_that_are_unique_except_the_two_cranes()
    {
        var names = ImageNetLabels.All;

        Assert.Equal(1000, names.Count);
        Assert.All(names, name => Assert.False(string.IsNullOrWhiteSpace(name)));
        // ImageNet itself has two synsets named "crane" (the bird, 134, and the machine, 517).
        Assert.Equal(999, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("crane", names[134]);
        Assert.Equal("crane", names[517]);
    }

    [Theory]
    [InlineData(0, "tench, Tinca tinca")]
    [InlineData(1, "goldfish, Carassius auratus")]
    [InlineData(207, "golden retriever")]
    [InlineData(999, "toilet tissue, toilet paper, bathroom tissue")]
    public void Names_follow_the_ImageNet_index_order(int index, string expected)
    {
        Assert.Equal(expected, ImageNetLabels.All[index]);
        Assert.Equal(expected, ImageNetLabels.LabelFor(index, 1000));
    }

    [Fact]
    public void A_head_that_is_not_ImageNet_gets_generic_names()
    {
        Assert.Equal("class_0", ImageNetLabels.LabelFor(0, 10));
        Assert.Equal("class_9", ImageNetLabels.LabelFor(9, 10));
    }

    [Fact]
    public void An_index_outside_the_head_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageNetLabels.LabelFor(10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageNetLabels.LabelFor(-1, 1000));
    }
}
