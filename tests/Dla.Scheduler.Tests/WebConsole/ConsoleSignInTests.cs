using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests.WebConsole;

/// <summary>
/// The console's sign-in: a good key becomes an HttpOnly, SameSite=Strict cookie the API accepts like the header
/// (tenant scope included); a wrong key gets 401 and no cookie; a state change signed in by the cookie needs the
/// console's header and a same-origin Origin; the console is served, and open when no key is configured.
/// </summary>
public sealed class ConsoleSignInTests : IDisposable
{
    private const string AdminKey = "console-admin-key";
    private const string TenantKey = "console-team-key";

    private readonly TestDataset _dataset = new(images: 4, folders: 1);

    public void Dispose()
    {
        _http?.Dispose();
        _dataset.Dispose();
    }

    private HttpClient _http = null!;

    /// <summary>A scheduler with an administrator and a tenant key, and a client that sends only the cookies a test names and follows no redirect.</summary>
    private async Task<SchedulerHost> StartAsync()
    {
        var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root,
            new Dictionary<string, string?> { ["Api:Keys:0"] = AdminKey, ["Api:Tenants:team:Keys:0"] = TenantKey });
        _http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.Http.BaseAddress };
        return host;
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? cookie = null, bool consoleHeader = false, string? origin = null, object? json = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        if (consoleHeader)
        {
            request.Headers.Add("X-Dla-Console", "1");
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }
        return request;
    }

    private async Task<string> SignInAsync(string key)
    {
        using var request = Request(HttpMethod.Post, "/ui/session", consoleHeader: true, json: new { key });
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        return setCookie.Split(';')[0];
    }

    [Fact]
    public async Task A_good_key_signs_in_with_a_cookie_the_api_accepts_and_a_wrong_key_gets_401_and_no_cookie()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await StartAsync();

        using var wrong = await _http.SendAsync(Request(HttpMethod.Post, "/ui/session", consoleHeader: true, json: new { key = "guess" }), cancellationToken);
        var cookie = await SignInAsync(AdminKey);
        using var jobs = await _http.SendAsync(Request(HttpMethod.Get, "/jobs", cookie), cancellationToken);
        using var session = await _http.SendAsync(Request(HttpMethod.Get, "/ui/session", cookie), cancellationToken);
        using var anonymous = await _http.SendAsync(Request(HttpMethod.Get, "/ui/session"), cancellationToken);
        using var forged = await _http.SendAsync(Request(HttpMethod.Get, "/jobs", "dla_api_key=guess"), cancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        var who = await session.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.True(who.GetProperty("signed_in").GetBoolean());
        Assert.True(who.GetProperty("key_required").GetBoolean());
        Assert.False((await anonymous.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("signed_in").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task A_tenant_signed_in_by_cookie_sees_only_its_own_jobs()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await StartAsync();
        var admin = await SignInAsync(AdminKey);
        var tenant = await SignInAsync(TenantKey);
        using var adminSubmit = await _http.SendAsync(Request(HttpMethod.Post, "/jobs", admin, consoleHeader: true, json: new { dataset = _dataset.Root, model = "dla34" }), cancellationToken);
        var adminJob = (await adminSubmit.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();

        using var list = await _http.SendAsync(Request(HttpMethod.Get, "/jobs", tenant), cancellationToken);
        using var other = await _http.SendAsync(Request(HttpMethod.Get, $"/jobs/{adminJob}", tenant), cancellationToken);
        using var session = await _http.SendAsync(Request(HttpMethod.Get, "/ui/session", tenant), cancellationToken);

        Assert.Equal(HttpStatusCode.Created, adminSubmit.StatusCode);
        Assert.Equal(0, (await list.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal("team", (await session.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("tenant").GetString());
    }

    [Fact]
    public async Task A_state_change_signed_in_by_the_cookie_needs_the_console_header_and_this_origin()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await StartAsync();
        var cookie = await SignInAsync(AdminKey);
        var submit = new { dataset = _dataset.Root, model = "dla34" };
        var self = host.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);

        using var noHeader = await _http.SendAsync(Request(HttpMethod.Post, "/jobs", cookie, json: submit), cancellationToken);
        using var foreignOrigin = await _http.SendAsync(Request(HttpMethod.Post, "/jobs", cookie, consoleHeader: true, origin: "https://evil.example", json: submit), cancellationToken);
        using var signInWithoutHeader = await _http.SendAsync(Request(HttpMethod.Post, "/ui/session", json: new { key = AdminKey }), cancellationToken);
        using var console = await _http.SendAsync(Request(HttpMethod.Post, "/jobs", cookie, consoleHeader: true, origin: self, json: submit), cancellationToken);
        var bearer = Request(HttpMethod.Post, "/jobs", json: submit);
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var cli = await _http.SendAsync(bearer, cancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, noHeader.StatusCode);
        Assert.Contains("X-Dla-Console", (await noHeader.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, foreignOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, signInWithoutHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Created, console.StatusCode);
        Assert.Equal(HttpStatusCode.Created, cli.StatusCode);
        Assert.Equal(2, (await (await _http.SendAsync(Request(HttpMethod.Get, "/jobs", cookie), cancellationToken)).Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task The_console_is_served_under_ui_with_a_strict_content_security_policy_and_the_root_redirects_there()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await StartAsync();

        using var root = await _http.GetAsync("/", cancellationToken);
        using var shell = await _http.GetAsync("/ui/", cancellationToken);
        using var deepLink = await _http.GetAsync($"/ui/jobs/{Guid.NewGuid()}/results", cancellationToken);
        using var script = await _http.GetAsync("/ui/app.js", cancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/ui/", root.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, shell.StatusCode);
        Assert.Contains("script-src 'self'", shell.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await shell.Content.ReadAsStringAsync(cancellationToken);
        Assert.Contains("/ui/app.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(html, await deepLink.Content.ReadAsStringAsync(cancellationToken));
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(script.Headers.ETag);
    }
}
