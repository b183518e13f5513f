using System.Globalization;
using System.Text.RegularExpressions;
using Dla.Console.Tests.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dla.Console.Tests;

/// <summary>
/// A user's way through the console in chromium, against a real scheduler and worker: submit through the form,
/// watch the job finish live, browse and filter its results, open an image with its neighbours, search by upload,
/// export, reprioritise, cancel and delete a second job, on a laptop and a phone-sized screen; the browser's console
/// stays free of errors throughout.
/// </summary>
public sealed class ConsoleJourneyTests
{
    /// <summary>Long enough for a loaded CI machine; a state is waited for, never a duration asserted.</summary>
    private const float Generous = 180_000;

    [Fact]
    public async Task A_job_submitted_through_the_form_is_followed_browsed_searched_exported_and_a_second_one_reprioritised_cancelled_and_deleted()
    {
        await using var cluster = await ConsoleCluster.StartAsync();
        await using var browser = await Browser.StartAsync(cluster.Address);
        // The browser logs the deliberately invalid submission's 400 (POST /jobs); nothing else may be logged.
        browser.Expected = error => error.Contains("status of 400", StringComparison.Ordinal) && error.Contains("/jobs:", StringComparison.Ordinal);
        var page = browser.Page;

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jobs" })).ToBeVisibleAsync();

        // Submit: a wrong field first, to see the API's 400 beside it, then the real job.
        await page.GetByRole(AriaRole.Link, new() { Name = "Submit a job" }).ClickAsync();
        await page.GetByLabel("Dataset").FillAsync(cluster.Dataset);
        await page.GetByLabel("Model").FillAsync(cluster.Model);
        await page.GetByLabel("Weights").FillAsync(cluster.Weights);
        await page.GetByLabel("Batch size").FillAsync("5000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit job" }).ClickAsync();
        await Expect(page.Locator("#batch_size-error")).ToContainTextAsync("between 1 and");
        await Expect(page.GetByLabel("Batch size")).ToHaveAttributeAsync("aria-invalid", "true");
        await browser.ScreenshotAsync("submit-validation");
        await page.GetByLabel("Batch size").FillAsync("4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit job" }).ClickAsync();

        // The job page follows the job live until it is done.
        await Expect(page).ToHaveURLAsync(new Regex("/ui/jobs/[0-9a-f-]{36}$"));
        var jobId = page.Url.Split('/')[^1];
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("succeeded", new() { Timeout = Generous });
        var images = cluster.Images.Count;
        await Expect(page.Locator("dd[data-count=succeeded]")).ToHaveTextAsync((images - 3).ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("dd[data-count=failed]")).ToHaveTextAsync("3");
        await Expect(page.Locator("dd[data-count=remaining]")).ToHaveTextAsync("0");
        await Expect(page.Locator("#errors tbody tr")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("#errors")).ToContainTextAsync("bad-empty.jpg");
        await Expect(page.Locator(".chart")).ToBeVisibleAsync();
        await Expect(page.Locator("#batches")).ToContainTextAsync("completed");
        await Expect(page.GetByText(cluster.Weights)).ToBeVisibleAsync();
        await Expect(page.Locator(".grid .tile")).ToHaveCountAsync(images - 3);
        await browser.ScreenshotAsync("job");

        // Export: the browser downloads the CSV with one row per image.
        await page.GetByLabel("Export").SelectOptionAsync("csv");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Equal(images + 1, csv.Count(l => l.Length > 0));
        Assert.Equal($"{jobId}.csv", download.SuggestedFilename);

        // Results: every image with a result, then only the low-confidence ones.
        await page.GetByRole(AriaRole.Link, new() { Name = "Browse and filter all results" }).ClickAsync();
        await Expect(page.Locator(".grid .tile")).ToHaveCountAsync(images - 3);
        await Expect(page.Locator("#more")).ToBeHiddenAsync();
        var lowConfidence = (await page.Locator(".grid .tile .prob").AllTextContentsAsync()).Count(t => double.Parse(t.TrimEnd('%'), CultureInfo.InvariantCulture) < 50);
        await browser.ScreenshotAsync("results");
        await page.GetByLabel("Probability from").FillAsync("0.99");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page.Locator("#grid-status")).ToHaveTextAsync("No results match.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Low confidence (< 50%)" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("maxProbability=0.5"));
        Assert.InRange(lowConfidence, 1, images - 4);
        await Expect(page.Locator(".grid .tile")).ToHaveCountAsync(lowConfidence);
        var probabilities = (await page.Locator(".grid .tile .prob").AllTextContentsAsync()).Select(t => double.Parse(t.TrimEnd('%'), CultureInfo.InvariantCulture)).ToList();
        Assert.All(probabilities, p => Assert.True(p < 50, $"{p}% is not low confidence"));
        Assert.Equal(probabilities.Order(), probabilities);
        await browser.ScreenshotAsync("results-low-confidence");

        // An image's detail: top-k as bars and its nearest neighbours as thumbnails, all of them real pictures.
        await page.Locator(".grid .tile").First.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.Locator(".bars li")).ToHaveCountAsync(5);
        await Expect(dialog.Locator("ul[aria-label='Nearest images'] .tile")).ToHaveCountAsync(8);
        await Expect(dialog.Locator("img.large")).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await dialog.Locator("img.large").EvaluateAsync<int>("img => img.naturalWidth") > 0);
        await browser.ScreenshotAsync("image-detail");
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).Not.ToBeVisibleAsync();

        // Search by upload: one of the job's own photographs finds itself first, at distance 0.
        var photo = cluster.Images.First(name => !name.StartsWith("bad-", StringComparison.Ordinal));
        await page.GetByLabel("Find images like this one").SetInputFilesAsync(Path.Combine(cluster.Dataset, photo));
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var hits = page.Locator("#upload-results .tile");
        await Expect(hits).Not.ToHaveCountAsync(0);
        await Expect(hits.First).ToHaveAttributeAsync("aria-label", new Regex($"^{Regex.Escape(photo)}, distance 0\\.000$"));
        await browser.ScreenshotAsync("search-by-upload");

        // A second job, with no worker to run it, is cancelled from its page.
        await cluster.StopWorkerAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Submit", Exact = true }).ClickAsync();
        await page.GetByLabel("Dataset").FillAsync(cluster.Dataset);
        await page.GetByLabel("Model").FillAsync(cluster.Model);
        await page.GetByLabel("Weights").FillAsync(cluster.Weights);
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit job" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/jobs/[0-9a-f-]{36}$"));
        var secondId = page.Url.Split('/')[^1];
        await Expect(page.Locator("#job-state")).Not.ToHaveTextAsync("succeeded");
        // While it waits, its weight in the fair share is raised.
        await page.GetByLabel("Priority").FillAsync("80");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set priority" }).ClickAsync();
        await Expect(page.Locator("p.ok[role=status]")).ToHaveTextAsync("Done: priority.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("cancelled", new() { Timeout = Generous });

        // The jobs list shows both, and filters by state.
        await page.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }).ClickAsync();
        await Expect(page.Locator("table.jobs tbody tr")).ToHaveCountAsync(2);
        await browser.ScreenshotAsync("jobs");
        await page.GetByLabel("State").SelectOptionAsync("cancelled");
        await Expect(page.Locator("table.jobs tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.jobs tbody tr .badge")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("table.jobs tbody tr td[data-label=Priority]")).ToHaveTextAsync("80");
        await page.GetByLabel("State").SelectOptionAsync("");

        // A phone-sized screen: the same pages, one column, nothing wider than the screen.
        await page.SetViewportSizeAsync(390, 844);
        await Expect(page.Locator("table.jobs tbody tr")).ToHaveCountAsync(2);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the jobs page scrolls sideways on a phone");
        await browser.ScreenshotAsync("jobs-phone");
        await page.GotoAsync($"/ui/jobs/{jobId}/results");
        await Expect(page.Locator(".grid .tile")).ToHaveCountAsync(images - 3);
        await browser.ScreenshotAsync("results-phone");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "the results page scrolls sideways on a phone; wider than the screen: " + await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5).join(', ')"));


        // The cancelled job is deleted from its page, after the browser's confirmation, and leaves the list.
        await page.SetViewportSizeAsync(1280, 800);
        await page.GotoAsync($"/ui/jobs/{secondId}");
        page.Dialog += async (_, confirmation) => await confirmation.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete job" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/\\?deleted={secondId}$"));
        await Expect(page.Locator("#deleted")).ToContainTextAsync(secondId);
        await Expect(page.Locator("table.jobs tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.jobs tbody tr .badge")).ToHaveTextAsync("succeeded");

        Assert.True(browser.Errors.Count == 0, "the browser logged errors:\n" + string.Join("\n", browser.Errors));
    }

    [Fact]
    public async Task A_priority_being_typed_survives_a_state_change_that_redraws_the_job_page()
    {
        await using var cluster = await ConsoleCluster.StartAsync(withWorker: false);
        await using var browser = await Browser.StartAsync(cluster.Address);
        var page = browser.Page;
        // The job page's live events are held back until the priority is typed; then one progress event changes the
        // state shown, which redraws the page's actions (as pending -> running does when it arrives mid-typing).
        var typed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync(new Regex("/jobs/[0-9a-f-]{36}/events$"), async route =>
        {
            var state = await typed.Task;
            await route.FulfillAsync(new()
            {
                Status = 200,
                ContentType = "text/event-stream",
                Body = "event: progress\ndata: {\"state\":\"" + state + "\",\"succeeded\":0,\"failed\":0,\"remaining\":10,\"total\":10,\"total_final\":true}\n\n",
            });
        });

        await page.GotoAsync("/ui/submit");
        await page.GetByLabel("Dataset").FillAsync(cluster.Dataset);
        await page.GetByLabel("Model").FillAsync(cluster.Model);
        await page.GetByLabel("Weights").FillAsync(cluster.Weights);
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit job" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/jobs/[0-9a-f-]{36}$"));
        var shown = (await page.Locator("#job-state").InnerTextAsync()).Trim();
        Assert.Contains(shown, new[] { "pending", "running" });
        await page.GetByLabel("Priority").FillAsync("80");
        var next = shown == "pending" ? "running" : "pending";
        typed.SetResult(next);
        await Expect(page.Locator("#job-state")).ToHaveTextAsync(next);

        await Expect(page.GetByLabel("Priority")).ToHaveValueAsync("80");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set priority" }).ClickAsync();
        await Expect(page.Locator("p.ok[role=status]")).ToHaveTextAsync("Done: priority.");
        await page.GotoAsync("/ui/");
        await Expect(page.Locator("table.jobs tbody tr td[data-label=Priority]")).ToHaveTextAsync("80");
    }

    [Fact]
    public async Task With_keys_configured_a_wrong_key_is_refused_and_the_right_one_signs_in_with_an_http_only_cookie()
    {
        await using var cluster = await ConsoleCluster.StartAsync(new Dictionary<string, string?> { ["Api:Keys:0"] = "console-admin-key" }, withWorker: false);
        await using var browser = await Browser.StartAsync(cluster.Address);
        // The refused sign-in's 401 is the one error the browser logs on purpose.
        browser.Expected = error => error.Contains("401", StringComparison.Ordinal) && error.Contains("/ui/session", StringComparison.Ordinal);
        var page = browser.Page;

        await page.GotoAsync("/ui/");
        await Expect(page).ToHaveURLAsync(new Regex("/ui/login\\?next="));
        await page.GetByLabel("API key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That key is not valid.");
        Assert.Empty(await browser.Context.CookiesAsync());
        await browser.ScreenshotAsync("login-refused");

        await page.GetByLabel("API key").FillAsync("console-admin-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jobs" })).ToBeVisibleAsync();
        await Expect(page.GetByText("No jobs yet.")).ToBeVisibleAsync();
        var cookie = Assert.Single(await browser.Context.CookiesAsync());
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/ui/login"));
        Assert.Empty(await browser.Context.CookiesAsync());
        Assert.True(browser.Errors.Count == 0, "the browser logged errors:\n" + string.Join("\n", browser.Errors));
    }
}
