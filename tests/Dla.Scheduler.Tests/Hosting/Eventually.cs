namespace Dla.Scheduler.Tests.Hosting;

/// <summary>Polls a condition of the running scheduler until it holds, or fails with what was last seen.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for {what}; last value: {value}");
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
