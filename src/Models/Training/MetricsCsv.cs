using System.Globalization;
using System.Text;
using SparseCore.Models.IO;

namespace SparseCore.Models.Training;

/// <summary>metrics.csv, rewritten whole (atomically) after every epoch; the home of the epochs' wall-clock times.</summary>
public static class MetricsCsv
{
    public const string Header = "epoch,train_loss,train_accuracy,eval_loss,eval_accuracy,learning_rate,seconds,samples_per_second";

    public static void Write(string path, IEnumerable<EpochMetrics> rows)
    {
        var sb = new StringBuilder(Header).Append('\n');
        var c = CultureInfo.InvariantCulture;
        foreach (var r in rows)
        {
            sb.Append(r.Epoch.ToString(c)).Append(',')
              .Append(r.TrainLoss.ToString("G6", c)).Append(',')
              .Append(r.TrainAccuracy.ToString("G6", c)).Append(',')
              .Append(r.EvalLoss?.ToString("G6", c) ?? "").Append(',')
              .Append(r.EvalAccuracy?.ToString("G6", c) ?? "").Append(',')
              .Append(r.LearningRate.ToString("G6", c)).Append(',')
              .Append(r.Seconds.ToString("F3", c)).Append(',')
              .Append(r.SamplesPerSecond.ToString("F1", c)).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>
    /// <paramref name="history"/> with each epoch's seconds and samples per second taken from the
    /// metrics.csv at <paramref name="path"/> (a checkpoint keeps no wall-clock time); epochs the file
    /// lacks, or a missing or unreadable file, keep what they have.
    /// </summary>
    public static IReadOnlyList<EpochMetrics> WithTimes(IReadOnlyList<EpochMetrics> history, string path)
    {
        if (!File.Exists(path)) return history;
        var times = new Dictionary<int, (double Seconds, double SamplesPerSecond)>();
        var c = CultureInfo.InvariantCulture;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length == 8 && int.TryParse(f[0], NumberStyles.Integer, c, out int epoch)
                && double.TryParse(f[6], NumberStyles.Float, c, out double seconds) && double.TryParse(f[7], NumberStyles.Float, c, out double rate))
                times[epoch] = (seconds, rate);
        }
        return history.Select(m => times.TryGetValue(m.Epoch, out var t) ? m with { Seconds = t.Seconds, SamplesPerSecond = t.SamplesPerSecond } : m).ToArray();
    }
}
