using Microsoft.Playwright;

namespace Dla.Console.Tests.Hosting;

/// <summary>
/// Debian's chromium driven by Playwright (its own browser download is not reachable here, so the launch names the
/// system executable), headless, one fresh context per test. Collects every console error and uncaught page error
/// (the tests assert there are none) and saves screenshots under artifacts/console/.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    /// <summary>Where Debian's chromium package puts the browser.</summary>
    private static readonly string[] Executables = ["/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/bin/chromium-browser"];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<string> _errors = [];

    private Browser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Console errors and page errors so far, minus those a test said it expects.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToList();
            }
        }
    }

    /// <summary>Errors the test provokes on purpose (a refused sign-in's 401 is logged by the browser).</summary>
    public Func<string, bool> Expected { get; set; } = _ => false;

    /// <summary>
    /// Starts chromium, or skips the test when it is not installed, unless <c>DLA_REQUIRE_BROWSER</c> is set (CI sets it):
    /// then its absence fails the test.
    /// </summary>
    public static async Task<Browser> StartAsync(Uri baseAddress)
    {
        var executable = Executables.FirstOrDefault(File.Exists);
        if (executable is null)
        {
            var message = $"No chromium at {string.Join(", ", Executables)}: install Debian's package (apt-get install chromium; scripts/services.sh up does).";
            if (Environment.GetEnvironmentVariable("DLA_REQUIRE_BROWSER") is { Length: > 0 })
            {
                throw new InvalidOperationException(message + " DLA_REQUIRE_BROWSER is set, so the browser tests must run.");
            }
            Assert.Skip(message);
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Containers often have a small /dev/shm; root has no sandbox.
            Args = ["--disable-dev-shm-usage", "--no-sandbox"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var session = new Browser(playwright, browser, context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session.Record($"console: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => session.Record($"page error: {error}");
        return session;
    }

    /// <summary>Saves a full-page screenshot as artifacts/console/<paramref name="name"/>.png.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var folder = Path.Combine(ConsoleCluster.RepositoryRoot(), "artifacts", "console");
        Directory.CreateDirectory(folder);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    private void Record(string error)
    {
        if (Expected(error))
        {
            return;
        }
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
