using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Dla.Integration.Tests.Hosting;

/// <summary>Waits for a job through the scheduler's API, as a client would: <c>GET /jobs/{id}</c> until it is final.</summary>
internal static class JobPolling
{
    /// <summary>
    /// The job's <c>progress</c> object once it is final (succeeded, failed or cancelled), or the last one
    /// read when <paramref name="timeout"/> passes or <paramref name="giveUp"/> says waiting is pointless
    /// (a process died): the caller's assertions on it then say what state the job was left in.
    /// The timeout is a bound for diagnostics, not a performance check. <paramref name="jobUri"/> is
    /// absolute or relative to the client's base address.
    /// </summary>
    public static async Task<JsonNode> WaitFinalAsync(HttpClient api, string jobUri, TimeSpan timeout, CancellationToken cancellationToken, Func<bool>? giveUp = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var progress = (await api.GetFromJsonAsync<JsonNode>(jobUri, cancellationToken))!["progress"]!;
            if (progress["is_final"]!.GetValue<bool>() || DateTime.UtcNow > deadline || giveUp?.Invoke() == true)
            {
                return progress;
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Waits for the job to end and asserts that it succeeded.</summary>
    public static async Task WaitSucceededAsync(HttpClient api, string jobUri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var progress = await WaitFinalAsync(api, jobUri, timeout, cancellationToken);
        Assert.True(progress["state"]!.GetValue<string>() == "succeeded", $"The job did not succeed: {progress}");
    }
}
