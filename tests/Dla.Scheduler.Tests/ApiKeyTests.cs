using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Scheduler.Tests.Hosting;
using Microsoft.Extensions.Logging;

namespace Dla.Scheduler.Tests;

/// <summary>API keys (<c>Api:Keys</c>) on every <c>/jobs</c> endpoint; health, metrics and OpenAPI stay open.</summary>
public sealed class ApiKeyTests : IDisposable
{
    private const string CurrentKey = "current-key-5d2c8f0e4b7a4f0f9a1e";
    private const string NextKey = "next-key-0b6e3f7c2d9a4e18b5c7";

    private static readonly Dictionary<string, string?> TwoKeys = new() { ["Api:Keys:0"] = CurrentKey, ["Api:Keys:1"] = NextKey };

    private readonly TestDataset _dataset = new(images: 4);
    private readonly LogCapture _logs = new();

    public void Dispose() => _dataset.Dispose();

    public static TheoryData<string, string> JobRequests => new()
    {
        { "GET", "/jobs" },
        { "POST", "/jobs" },
        { "GET", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301" },
        { "GET", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/events" },
        { "POST", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/cancel" },
        { "GET", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/export?format=csv" },
        { "POST", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/search" },
    };

    [Theory]
    [MemberData(nameof(JobRequests))]
    public async Task Requests_without_a_key_are_401_with_a_problem_and_a_bearer_challenge(string method, string path)
    {
        await using var host = await StartAsync(TwoKeys);

        using var response = await host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), TestContext.Current.CancellationToken);

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Authorization: Bearer <key>", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Authorization", "Bearer wrong-key-1f2e3d4c5b6a")]
    [InlineData("Authorization", "Bearer " + CurrentKey + "x")]
    [InlineData("X-Api-Key", "wrong-key-1f2e3d4c5b6a")]
    public async Task A_wrong_key_is_401_and_never_reaches_the_logs(string header, string value)
    {
        await using var host = await StartAsync(TwoKeys);

        using var response = await SendAsync(host, header, value);

        var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("The API key is not valid. Send one of the scheduler's keys (Api:Keys or Api:Tenants:<name>:Keys).", problem.GetProperty("detail").GetString());
        var challenge = response.Headers.WwwAuthenticate.Single();
        Assert.Equal(("Bearer", "error=\"invalid_token\""), (challenge.Scheme, challenge.Parameter));
        var presented = value.Split(' ')[^1];
        Assert.DoesNotContain(_logs.Entries, e => e.Text.Contains(presented, StringComparison.Ordinal) || e.Text.Contains(CurrentKey, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Authorization", "Bearer " + CurrentKey)]
    [InlineData("Authorization", "bearer " + NextKey)]
    [InlineData("X-Api-Key", CurrentKey)]
    [InlineData("X-Api-Key", NextKey)]
    public async Task Either_configured_key_in_either_header_is_accepted(string header, string value)
    {
        await using var host = await StartAsync(TwoKeys);

        using var listed = await SendAsync(host, header, value);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = JsonContent.Create(new { dataset = _dataset.Root, model = "dla34", batch_size = 2 }) };
        request.Headers.TryAddWithoutValidation(header, value);
        using var submitted = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        Assert.DoesNotContain(_logs.Entries, e => e.Text.Contains(CurrentKey, StringComparison.Ordinal) || e.Text.Contains(NextKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_and_openapi_need_no_key()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await StartAsync(TwoKeys);

        Assert.Equal("Healthy", await host.Http.GetStringAsync("/health/live", cancellationToken));
        await Eventually.HoldsAsync(async () => (await host.Http.GetAsync("/health/ready", cancellationToken)).StatusCode, s => s == HttpStatusCode.OK, "readiness");
        var openApi = await host.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", cancellationToken);
        // The document declares the key: a bearer scheme and the header, either one on every /jobs operation.
        var schemes = openApi.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("http", "bearer"), (schemes.GetProperty("bearer").GetProperty("type").GetString(), schemes.GetProperty("bearer").GetProperty("scheme").GetString()));
        Assert.Equal(("apiKey", "header", "X-Api-Key"), (schemes.GetProperty("apiKey").GetProperty("type").GetString(), schemes.GetProperty("apiKey").GetProperty("in").GetString(), schemes.GetProperty("apiKey").GetProperty("name").GetString()));
        var listJobs = openApi.GetProperty("paths").GetProperty("/jobs").GetProperty("get");
        Assert.Equal(["bearer", "apiKey"], listJobs.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Single().Name));
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Information && e.Text.StartsWith("The /jobs API requires an API key: 2 administrator keys (Api:Keys), 0 tenants", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_configured_key_the_api_is_open_and_the_scheduler_warns_at_start()
    {
        await using var host = await StartAsync(new Dictionary<string, string?>());

        using var response = await host.Http.GetAsync("/jobs", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Warning && e.Text.StartsWith("No API key is configured (Api:Keys)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_configured_key_stops_the_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(new() { ["Api:Keys:0"] = CurrentKey, ["Api:Keys:1"] = " " }));

        Assert.Contains("Api:Keys has an empty entry", error.Message, StringComparison.Ordinal);
    }

    private Task<SchedulerHost> StartAsync(Dictionary<string, string?> settings) =>
        SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, settings, builder =>
        {
            builder.Logging.AddProvider(_logs);
            builder.Logging.AddFilter<LogCapture>(null, LogLevel.Trace);
        });

    private static async Task<HttpResponseMessage> SendAsync(SchedulerHost host, string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs");
        request.Headers.TryAddWithoutValidation(header, value);
        return await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
