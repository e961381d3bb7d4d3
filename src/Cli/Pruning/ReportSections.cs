using System.Globalization;
using System.Text;
using SparseCore.Pass.Pipeline;
using static SparseCore.Cli.Pruning.ReportFormat;

namespace SparseCore.Cli.Pruning;

/// <summary>The sections every prune report ends with, whatever the method pruned: the latency conditions, the stage times and the run.</summary>
internal static class ReportSections
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Latency(StringBuilder md, PruneSummary s) =>
        md.AppendLine(C, $"- **Latency** on {s.Device}: batch {s.Latency.Batch}, {s.Latency.Threads} threads, {s.Latency.Warmup} warm-up forwards, " +
                         $"then the median of {s.Latency.Repetitions} timed forwards, each including the read of the output to the host; " +
                         $"evaluation mode, no gradient, the same input for both networks.");

    /// <summary>The stage table, its rows named for what the method's stages do.</summary>
    public static void Stages(StringBuilder md, PruneSummary s, string stage1, string stage2)
    {
        md.AppendLine("## Stages");
        md.AppendLine();
        md.AppendLine("| stage | epochs | images | time (s) | s / epoch |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        var t = s.Stages;
        md.AppendLine(C, $"| 1: {stage1} | {t.Stage1Epochs} | {Count(t.Stage1Images)} | {Seconds(t.Stage1Seconds)} | {PerEpoch(t.Stage1Seconds, t.Stage1Epochs)} |");
        md.AppendLine(C, $"| 2: {stage2} | {t.Stage2Epochs} | | {Seconds(t.Stage2Seconds)} | {PerEpoch(t.Stage2Seconds, t.Stage2Epochs)} |");
        md.AppendLine();
    }

    /// <summary>The run's settings (<paramref name="setting"/>: what else names it, the residual mode say) and the command that repeats it.</summary>
    public static void Run(StringBuilder md, PruneSummary s, string setting)
    {
        md.AppendLine("## Run");
        md.AppendLine();
        md.AppendLine(C, $"- method {s.Method}, model {s.Model}, data {s.Data}, {Budget(s)}, {setting}seed {s.Seed}");
        md.AppendLine(C, $"- device: {s.Device}");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(s.Command);
        md.AppendLine("```");
        md.AppendLine();
    }

    private static string PerEpoch(double seconds, int epochs) => epochs > 0 ? Seconds(seconds / epochs) : Missing;
}
