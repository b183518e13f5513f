using Dla.Worker.Batches;

namespace Dla.Worker.Tests.Batches;

public sealed class InferenceCallsTests
{
    [Theory]
    // Unset: as many calls as lanes, at least two, the last one short when the message does not divide.
    [InlineData(0, 64, 1, 32)]
    [InlineData(0, 64, 2, 32)]
    [InlineData(0, 64, 4, 16)]
    [InlineData(0, 33, 2, 17)]
    [InlineData(0, 32, 3, 11)]
    [InlineData(0, 1, 2, 1)]
    // Set: a cap, never more than the message.
    [InlineData(8, 64, 2, 8)]
    [InlineData(128, 64, 1, 64)]
    // An empty message still gets a valid size.
    [InlineData(0, 0, 2, 1)]
    public void Splits_a_message_into_calls(int configured, int messageImages, int lanes, int expected) =>
        Assert.Equal(expected, InferenceCalls.Size(configured, messageImages, lanes));

    [Fact]
    public void Never_more_calls_than_lanes_and_one_per_lane_when_the_message_divides()
    {
        foreach (var lanes in new[] { 1, 2, 3, 4 })
        {
            var wanted = Math.Max(2, lanes);
            foreach (var images in Enumerable.Range(1, 300))
            {
                var size = InferenceCalls.Size(0, images, lanes);
                var calls = (images + size - 1) / size;
                Assert.True(calls <= wanted, $"{images} images on {lanes} lanes: {calls} calls of {size}");
                if (images % wanted == 0)
                {
                    Assert.Equal(wanted, calls);
                }
            }
        }
    }

    [Fact]
    public void Refuses_nonsense() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceCalls.Size(0, 10, 0));
}
