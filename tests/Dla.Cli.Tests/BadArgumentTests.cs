using System.CommandLine;

namespace Dla.Cli.Tests;

/// <summary>
/// No user mistake shows a stack trace: every command answers a bad command line, and a bad value it can only
/// check when it runs, with <c>error: …</c> lines and exit code 2 (1 stays for "ran, but images failed").
/// </summary>
public sealed class BadArgumentTests
{
    /// <summary>Every command that does something (a leaf of the command tree), by its path.</summary>
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            if (command.Subcommands.Count == 0)
            {
                data.Add(path.Trim());
            }
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, $"{path} {sub.Name}");
            }
        }
        Walk(DlaCommandLine.Create(), "");
        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_unknown_option_is_an_error_line_with_what_to_do_and_exit_2(string command)
    {
        // Every argument gets a value first, so the unknown option cannot be taken for one.
        var path = command.Split(' ');
        var target = path.Aggregate((Command)DlaCommandLine.Create(), (c, name) => c.Subcommands.Single(s => s.Name == name));
        var (exit, output, error) = await CliHarness.RunAsync([.. path, .. target.Arguments.Select(_ => "x"), "--no-such-option"]);

        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains($"dla {command} --help", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dataset", "run", "{missing}")]
    [InlineData("model: Unknown model", "run", ".", "--model", "dla99")]
    [InlineData("decode", "run", ".", "--decode", "blurry")]
    [InlineData("fp8", "run", ".", "--embedding-precision", "fp8")]
    [InlineData("fp8", "submit", "{work}", "--embedding-precision", "fp8", "--api", "http://127.0.0.1:9")]
    [InlineData("Unknown model", "model", "export", "dla99", "-o", "{work}/m.onnx")]
    [InlineData("Unknown model", "bench", "model", "-m", "dla99")]
    [InlineData("", "bench", "decode", "{missing}")]
    [InlineData("", "bench", "fidelity", "{missing}", "-m", "{tiny}")]
    [InlineData("", "dataset", "sample", "{work}/out", "--size", "big")]
    [InlineData("cannot reach the scheduler", "status", "01a2350a-0000-7000-8000-000000000000", "--api", "http://127.0.0.1:9")]
    [InlineData("cannot reach the scheduler", "jobs", "--api", "http://127.0.0.1:9")]
    [InlineData("cannot reach the scheduler", "submit", "{work}", "--api", "http://127.0.0.1:9")]
    [InlineData("use .parquet, .csv or .jsonl", "export", "01a2350a-0000-7000-8000-000000000000", "-o", "{work}/results.txt", "--api", "http://127.0.0.1:9")]
    [InlineData("cannot reach the scheduler", "export", "01a2350a-0000-7000-8000-000000000000", "-o", "{work}/results.csv", "--api", "http://127.0.0.1:9")]
    public async Task A_bad_value_is_an_error_line_and_exit_2(string message, params string[] args)
    {
        var work = Directory.CreateTempSubdirectory("dla-bad-args-");
        try
        {
            const string Tiny = """{"levels": [1,1,1,2,2,1], "channels": [8,16,16,32,64,128], "block": "basic"}""";
            var resolved = args.Select(a => a.Replace("{work}", work.FullName, StringComparison.Ordinal)
                .Replace("{missing}", Path.Combine(work.FullName, "no-such-folder"), StringComparison.Ordinal)
                .Replace("{tiny}", Tiny, StringComparison.Ordinal)).ToArray();

            var (exit, output, error) = await CliHarness.RunAsync([.. resolved, .. args[0] == "bench" && args[1] == "fidelity" ? new[] { "--weights", "random", "--num-classes", "10" } : []]);

            Assert.True(exit == 2, $"dla {string.Join(' ', resolved)} exited {exit}: {error}");
            // Some commands say what they start first (dla run names its dataset and database); the error is a line of its own.
            Assert.Contains(error.Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal));
            Assert.Contains(message, error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
