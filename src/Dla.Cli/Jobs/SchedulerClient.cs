using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Dla.Cli.Jobs;

/// <summary>
/// The CLI's view of a scheduler's REST API: base URL from <c>--api</c> or <c>DLA_API_URL</c>
/// (default http://127.0.0.1:8080), API key from <c>--api-key</c> or <c>DLA_API_KEY</c> sent as a bearer
/// token. Errors come back as <see cref="SchedulerApiException"/> with the server's message.
/// </summary>
internal sealed class SchedulerClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly HttpClient _http;

    public SchedulerClient(string? api, string? apiKey)
    {
        var baseUrl = api ?? Environment.GetEnvironmentVariable("DLA_API_URL") ?? "http://127.0.0.1:8080";
        _http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        if ((apiKey is { Length: > 0 } ? apiKey : Environment.GetEnvironmentVariable("DLA_API_KEY")) is { Length: > 0 } key)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    public Task<JsonNode> PostAsync(string path, object? body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) }, ct);

    public Task<JsonNode> PutAsync(string path, object body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body, options: Json) }, ct);

    public Task<JsonNode> PostAsync(string path, HttpContent content, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, ct);

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);

    /// <summary>A DELETE; its answer (204) has no body.</summary>
    public Task DeleteAsync(string path, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), ct);

    /// <summary>Streams a response body (exports) to <paramref name="destination"/>.</summary>
    public async Task DownloadAsync(string path, Stream destination, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        using var _ = response;
        await EnsureSuccessAsync(response, ct);
        await (await response.Content.ReadAsStreamAsync(ct)).CopyToAsync(destination, ct);
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException ex)
            {
                throw Unreachable(ex);
            }
            using (response)
            {
                await EnsureSuccessAsync(response, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                return body.Length == 0 ? new JsonObject() : JsonNode.Parse(body) ?? new JsonObject();
            }
        }
    }

    private SchedulerApiException Unreachable(HttpRequestException ex) =>
        new($"cannot reach the scheduler at {_http.BaseAddress}: {ex.Message} (is it running? set --api or DLA_API_URL to its address)");

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(ct);
        string? detail = null;
        try
        {
            var problem = JsonNode.Parse(body);
            detail = problem?["detail"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>();
        }
        catch (JsonException)
        {
        }
        // A refused key: say where the CLI takes it from.
        var hint = response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? " (set DLA_API_KEY or --api-key to one of the scheduler's Api:Keys)" : "";
        throw new SchedulerApiException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail ?? body}{hint}");
    }
}

/// <summary>The scheduler refused a request or could not be reached.</summary>
internal sealed class SchedulerApiException(string message) : Exception(message);
