using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests;

/// <summary>
/// Tenants (docs/tenants.md): a tenant key reaches only its tenant's jobs, on every /jobs endpoint, and gets
/// the same 404 for another tenant's job as for an id that does not exist; administrator keys see everything;
/// MaxRunningJobs is a 429 with the limit.
/// </summary>
public sealed class TenantTests : IDisposable
{
    private const string Admin = "admin-key-0123456789";
    private const string KeyA = "tenant-a-key-0123456789";
    private const string KeyB = "tenant-b-key-0123456789";
    private readonly TestDataset _dataset = new(images: 4);

    public void Dispose() => _dataset.Dispose();

    private static Dictionary<string, string?> Keys => new()
    {
        ["Api:Keys:0"] = Admin,
        ["Api:Tenants:team-a:Keys:0"] = KeyA,
        ["Api:Tenants:team-a:MaxRunningJobs"] = "1",
        ["Api:Tenants:team-b:Keys:0"] = KeyB,
    };

    [Fact]
    public async Task A_tenant_reaches_only_its_own_jobs_on_every_endpoint_and_admins_see_all()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, Keys);
        var jobA = await SubmitAsync(host, KeyA, HttpStatusCode.Created, ct);
        var jobB = await SubmitAsync(host, KeyB, HttpStatusCode.Created, ct);
        var unknown = Guid.NewGuid();

        Assert.Equal("team-a", (await GetJsonAsync(host, KeyA, $"/jobs/{jobA}", ct)).GetProperty("tenant").GetString());
        Assert.Equal([jobB], await ListAsync(host, KeyB, ct));
        Assert.Equal([jobA], await ListAsync(host, KeyA, ct));
        Assert.Equal(new[] { jobA, jobB }.Order(), (await ListAsync(host, Admin, ct)).Order());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, Admin, HttpMethod.Get, $"/jobs/{jobA}", null, ct)).Status);

        var leaks = new List<string>();
        foreach (var (method, path, body) in Endpoints())
        {
            var other = await SendAsync(host, KeyB, method, path(jobA), body, ct);
            var missing = await SendAsync(host, KeyB, method, path(unknown), body, ct);
            // The same status and the same problem, but for the id it names (and the request's trace id).
            if (other.Status != HttpStatusCode.NotFound || Comparable(other.Body, jobA) != Comparable(missing.Body, unknown))
            {
                leaks.Add($"{method} {path(jobA)}: {(int)other.Status} {other.Body} (unknown id: {(int)missing.Status} {missing.Body})");
            }
        }
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        // Nothing was changed by the refused calls: team-a's job is still its own, and not cancelled.
        var stillA = await GetJsonAsync(host, KeyA, $"/jobs/{jobA}", ct);
        Assert.NotEqual("cancelled", stillA.GetProperty("state").GetString());
        Assert.Equal(10, stillA.GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task A_tenant_past_MaxRunningJobs_gets_429_with_the_limit_and_others_are_not_limited()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, Keys);
        await SubmitAsync(host, KeyA, HttpStatusCode.Created, ct);

        var refused = await SendAsync(host, KeyA, HttpMethod.Post, "/jobs", Submission(), ct);
        await SubmitAsync(host, KeyB, HttpStatusCode.Created, ct);
        await SubmitAsync(host, KeyB, HttpStatusCode.Created, ct);
        await SubmitAsync(host, Admin, HttpStatusCode.Created, ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        var problem = JsonDocument.Parse(refused.Body).RootElement;
        Assert.Equal(1, problem.GetProperty("limit").GetInt32());
        Assert.Contains("Api:Tenants:team-a:MaxRunningJobs", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Every route that names a job: method, path for an id, body.</summary>
    private static IEnumerable<(HttpMethod Method, Func<Guid, string> Path, object? Body)> Endpoints() =>
    [
        (HttpMethod.Get, id => $"/jobs/{id}", null),
        (HttpMethod.Get, id => $"/jobs/{id}/events", null),
        (HttpMethod.Get, id => $"/jobs/{id}/results", null),
        (HttpMethod.Get, id => $"/jobs/{id}/export?format=csv", null),
        (HttpMethod.Post, id => $"/jobs/{id}/search", new { image_path = "f0/img-00000.jpg" }),
        (HttpMethod.Post, id => $"/jobs/{id}/retry-failed", null),
        (HttpMethod.Put, id => $"/jobs/{id}/priority", new { priority = 50 }),
        (HttpMethod.Post, id => $"/jobs/{id}/cancel", null),
    ];

    /// <summary>A problem body without what differs between any two requests: the job id named and the trace id.</summary>
    private static string Comparable(string problem, Guid id)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(problem)!.AsObject();
        node.Remove("trace_id");
        return node.ToJsonString().Replace(id.ToString(), "ID", StringComparison.Ordinal);
    }

    private object Submission() => new { dataset = _dataset.Root, model = "dla34" };

    private async Task<Guid> SubmitAsync(SchedulerHost host, string key, HttpStatusCode expected, CancellationToken ct)
    {
        var (status, body) = await SendAsync(host, key, HttpMethod.Post, "/jobs", Submission(), ct);
        Assert.True(status == expected, $"{(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<List<Guid>> ListAsync(SchedulerHost host, string key, CancellationToken ct) =>
        (await GetJsonAsync(host, key, "/jobs", ct)).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetGuid()).ToList();

    private static async Task<JsonElement> GetJsonAsync(SchedulerHost host, string key, string path, CancellationToken ct)
    {
        var (status, body) = await SendAsync(host, key, HttpMethod.Get, path, null, ct);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(SchedulerHost host, string key, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }
        using var response = await host.Http.SendAsync(request, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }
}
