using System.CommandLine;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Weights;

namespace Dla.Cli;

/// <summary>Runs the command line and turns the library's typed errors into one clear line and exit code 2.</summary>
internal static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
        {
            // A mistyped command line is the user's mistake like any other: one line each, what to do next, exit 2.
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }
            Console.Error.WriteLine($"Run '{string.Join(' ', CommandPath(parsed.CommandResult.Command))} --help' for the arguments and options.");
            return 2;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellation.Token);
        }
        catch (Exception ex) when (ex is ModelLoadException or WeightsFormatException or WeightsDownloadException or ImageDecodeException or ArgumentException or IOException
            or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException or FormatException
            or Jobs.SchedulerApiException or Dla.Datasets.DatasetAccessException or Scheduler.Jobs.JobValidationException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    private static Stack<string> CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            names.Push(c is RootCommand ? "dla" : c.Name);
        }
        return names;
    }
}
