using System.Globalization;
using System.Text;
using SparseCore.Models.IO;

namespace SparseCore.Models.Training;

/// <summary>metrics.csv, rewritten whole (atomically) after every epoch.</summary>
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
}
