using Dla.Scheduler.Progress;

namespace Dla.Cli.Run;

/// <summary>A one-line progress display on standard error: redrawn in place on a terminal, a line every few seconds otherwise.</summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private DateTime _lastLine = DateTime.MinValue;

    public void Draw(ProgressReport p, bool final = false)
    {
        if (!_interactive && !final && DateTime.UtcNow - _lastLine < TimeSpan.FromSeconds(5))
        {
            return;
        }
        _lastLine = DateTime.UtcNow;
        var done = p.Succeeded + p.Failed;
        var fraction = p.Total > 0 ? (double)done / p.Total : 0;
        var filled = (int)Math.Round(fraction * Width);
        var total = p.TotalFinal ? $"{p.Total}" : $"{p.Total}+";
        var eta = p.EtaSeconds is { } s ? $"ETA {TimeSpan.FromSeconds(Math.Round(s)):g}" : "ETA --";
        var line = $"[{new string('#', filled)}{new string('-', Width - filled)}] {done}/{total}  ok {p.Succeeded}  failed {p.Failed}  left {p.Remaining}  {p.ImagesPerSecond:F1} img/s  {eta}";
        if (_interactive)
        {
            Console.Error.Write($"\r{line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 120) : 100)}");
            if (final)
            {
                Console.Error.WriteLine();
            }
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }
}
