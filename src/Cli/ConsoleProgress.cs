using System.Diagnostics;
using System.Globalization;
using SparseCore.Models.Training;

namespace SparseCore.Cli;

/// <summary>
/// One progress line per epoch with loss, accuracy, samples/s and ETA: redrawn in place on a
/// terminal, printed at 25% intervals when output is redirected (CI logs stay short).
/// </summary>
public sealed class ConsoleProgress(TextWriter output, bool interactive) : ITrainingObserver
{
    private readonly Stopwatch clock = new();
    private int epochs;
    private int lastQuarter;
    private TimeSpan lastDraw;

    public static ConsoleProgress ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    public void EpochStarted(int epoch, int epochs, int steps)
    {
        this.epochs = epochs;
        lastQuarter = 0;
        clock.Restart();
    }

    public void StepCompleted(int epoch, int step, int steps, double loss, double accuracy, double samplesPerSecond)
    {
        double fraction = (double)step / steps;
        var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / fraction * (1 - fraction));
        string line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch}/{epochs} {Bar(fraction)} {step}/{steps} loss {loss:F4} acc {accuracy:P1} {samplesPerSecond:F0} samples/s ETA {eta:mm\\:ss}");
        if (interactive)
        {
            if (step == steps || clock.Elapsed - lastDraw > TimeSpan.FromMilliseconds(100))
            {
                output.Write("\r" + line + "\u001b[K"); // ESC[K clears what a longer previous line left
                lastDraw = clock.Elapsed;
            }
        }
        else if ((int)(fraction * 4) > lastQuarter && step < steps)
        {
            lastQuarter = (int)(fraction * 4);
            output.WriteLine(line);
        }
    }

    public void EpochCompleted(EpochMetrics m)
    {
        if (interactive) output.WriteLine();
        string eval = m.EvalAccuracy is double acc
            ? string.Create(CultureInfo.InvariantCulture, $", eval loss {m.EvalLoss:F4} acc {acc:P2}") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch}/{epochs}: train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2}{eval}, lr {m.LearningRate:G3}, {m.Seconds:F1}s, {m.SamplesPerSecond:F0} samples/s"));
    }

    private static string Bar(double fraction)
    {
        int filled = (int)Math.Round(fraction * 20);
        return "[" + new string('#', filled) + new string('.', 20 - filled) + "]";
    }
}
