using System.Globalization;
using System.Text;
using SparseCore.Kernels;
using SparseCore.Models.IO;
using SparseCore.Models.Training;

namespace SparseCore.Cli;

/// <summary>report.md of a training run: the outcome first, then the per-epoch table.</summary>
internal static class TrainReport
{
    public static void Write(string folder, string model, Backend backend, IReadOnlyList<EpochMetrics> history,
                             EvalResult test, TimeSpan elapsed, long parameters)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"# {model} training run");
        sb.AppendLine();
        sb.AppendLine(c, $"- test accuracy: **{test.Accuracy:P2}** (loss {test.Loss:F4}, {test.Samples} images, read once at the end)");
        sb.AppendLine(c, $"- device: {backend.Name} ({backend.DeviceDescription})");
        sb.AppendLine(c, $"- parameters: {parameters:N0}");
        sb.AppendLine(c, $"- wall time: {elapsed.TotalSeconds:F1} s for {history.Count} epochs");
        sb.AppendLine();
        sb.AppendLine("![loss and accuracy per epoch](training.png)");
        sb.AppendLine();
        sb.AppendLine("| epoch | train loss | train acc | val loss | val acc | lr | s | samples/s |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in history)
            sb.AppendLine(c, $"| {m.Epoch} | {m.TrainLoss:F4} | {m.TrainAccuracy:P2} | {m.EvalLoss:F4} | {m.EvalAccuracy:P2} | {m.LearningRate:G3} | {m.Seconds:F1} | {m.SamplesPerSecond:F0} |");
        AtomicFile.WriteAllText(Path.Combine(folder, "report.md"), sb.ToString());
    }
}
