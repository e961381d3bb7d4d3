using System.Globalization;
using System.Text;
using SparseCore.Models.IO;
using static SparseCore.Cli.Pruning.ReportFormat;
using SparseCore.Pass.Compute;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// report.md of a prune run, with kept-channels.png (weight-density.png for weight masks),
/// accuracy-vs-macs.png and, for channel methods, layer-times.png beside it: the outcome first
/// (accuracy, size and speed of dense vs pruned), then what a reader needs to trust or repeat it
/// (how MACs and latency were measured, the stage times, the command), then the per-layer detail:
/// kept channels, and where the time goes layer by layer.
/// </summary>
public static class PruneReport
{
    public const string FileName = "report.md";

    public static void Write(string folder, PruneSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        bool weights = s.Mode == PruneSummary.WeightMode;
        string title = $"{Method(s.Method)} on {s.Model} / {s.Data}: {Budget(s)}, {(weights ? "weight masks" : s.Mode + " mode")}";
        if (weights) WeightDensityPlot.Write(Path.Combine(folder, WeightDensityPlot.FileName), $"{Method(s.Method)}, {s.Model}, {Budget(s)}: weights kept per layer", s.Layers);
        else KeptChannelsPlot.Write(Path.Combine(folder, KeptChannelsPlot.FileName), $"{Method(s.Method)}, {s.Model}, {Budget(s)}: kept channels per layer", s.Layers);
        if (s.Compute is { } compute)
            ComputePlot.Write(Path.Combine(folder, ComputePlot.FileName), $"{Method(s.Method)}, {s.Model}, {Budget(s)}: forward time per layer, dense vs pruned", compute);
        AccuracyMacsPlot.Write(Path.Combine(folder, AccuracyMacsPlot.FileName), $"{s.Model} on {s.Data}: test accuracy vs MACs",
        [
            new AccuracyMacsPlot.Point("dense", s.Dense.Macs, s.Dense.TestAccuracy, Dense: true),
            new AccuracyMacsPlot.Point($"{Method(s.Method)} {BudgetShort(s)}", weights ? s.MaskedMacs : s.Pruned.Macs, s.Pruned.TestAccuracy, Dense: false),
        ]);
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), weights ? WeightReport.Markdown(s, title) : Markdown(s, title));
    }

    private static string Markdown(PruneSummary s, string title)
    {
        var c = CultureInfo.InvariantCulture;
        var (d, p) = (s.Dense, s.Pruned);
        var md = new StringBuilder();
        md.AppendLine(c, $"# {title}");
        md.AppendLine();
        md.AppendLine(c, $"Test accuracy **{Accuracy(p.TestAccuracy)} %** (dense {Accuracy(d.TestAccuracy)} %, {Points(d.TestAccuracy, p.TestAccuracy)} points) " +
                         $"with **{Share(p.Macs, d.Macs)}** of the dense MACs and {Share(p.Parameters, d.Parameters)} of its parameters; " +
                         $"latency speed-up **{Speedup(d.LatencyMs, p.LatencyMs)}** on {s.Device}.");
        md.AppendLine();
        md.AppendLine("## Dense vs pruned");
        md.AppendLine();
        md.AppendLine("| network | val acc % | test acc % | MACs (M) | params (M) | latency median (ms) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        md.AppendLine(c, $"| dense | {Accuracy(d.ValidationAccuracy)} | {Accuracy(d.TestAccuracy)} | {MegaMacs(d.Macs)} | {MegaParameters(d.Parameters)} | {Milliseconds(d.LatencyMs)} |");
        md.AppendLine(c, $"| pruned (extracted) | {Accuracy(p.ValidationAccuracy)} | {Accuracy(p.TestAccuracy)} | {MegaMacs(p.Macs)} | {MegaParameters(p.Parameters)} | {Milliseconds(p.LatencyMs)} |");
        md.AppendLine(c, $"| pruned vs dense | {Points(d.ValidationAccuracy, p.ValidationAccuracy)} pts | {Points(d.TestAccuracy, p.TestAccuracy)} pts | " +
                         $"{Share(p.Macs, d.Macs)} | {Share(p.Parameters, d.Parameters)} | {Speedup(d.LatencyMs, p.LatencyMs)} speed-up |");
        md.AppendLine();
        md.AppendLine(c, $"![test accuracy vs MACs]({AccuracyMacsPlot.FileName})");
        md.AppendLine();
        md.AppendLine("## How it was measured");
        md.AppendLine();
        md.AppendLine(c, $"- **MACs** are multiply-accumulates of the conv and linear layers for one image (normalisation, activations, pooling and " +
                         $"residual adds are not counted). Extracted network: {Count(p.Macs)} ({Share(p.Macs, d.Macs)} of {Count(d.Macs)}); " +
                         $"masked network: {Count(s.MaskedMacs)} ({Share(s.MaskedMacs, d.Macs)}). {MacsNote(s)}");
        ReportSections.Latency(md, s);
        md.AppendLine(c, $"- **Accuracy** of the dense network and of the pruned network after stage 2, " +
                         $"{(s.PromptInStage2 ? "with" : "without")} the visual prompt in stage 2; validation on the held-out training images, test read once.");
        md.AppendLine();
        ReportSections.Stages(md, s, "masks (backbone frozen)", "fine-tune the extracted network");
        ReportSections.Run(md, s, $"residual mode {s.Mode}, {(s.RoundChannels > 1 ? $"kept channels rounded to multiples of {s.RoundChannels}, " : "")}");
        md.AppendLine("## Kept channels per layer");
        md.AppendLine();
        md.AppendLine(c, $"![kept channels per layer]({KeptChannelsPlot.FileName})");
        md.AppendLine();
        md.AppendLine("| layer | channels | kept | kept % |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var l in s.Layers)
            md.AppendLine(c, $"| {l.Name} | {l.Channels} | {l.Kept} | {Share(l.Kept, l.Channels)} |");
        long channels = s.Layers.Sum(l => (long)l.Channels), kept = s.Layers.Sum(l => (long)l.Kept);
        md.AppendLine(c, $"| all layers | {channels} | {kept} | {Share(kept, channels)} |");
        md.AppendLine();
        md.AppendLine("A layer that shares its mask (a downsample conv with its block's last conv) is listed on its own line, " +
                      "so the total counts such channels once per layer, not once per mask.");
        if (s.Compute is { } compute) Compute(md, s, compute);
        return md.ToString();
    }

    /// <summary>Where pruning turns into time and where it does not: the dense and the extracted network, layer by layer.</summary>
    private static void Compute(StringBuilder md, PruneSummary s, ComputeProfile compute)
    {
        md.AppendLine();
        md.AppendLine("## Where the time goes, layer by layer");
        md.AppendLine();
        md.AppendLine($"The MACs promise a **{ComputeTable.Times(compute.PredictedSpeedup)}** speed-up; the forward ran " +
                      $"**{ComputeTable.Times(compute.MeasuredSpeedup)}** faster. Per layer, a measured speed-up below the predicted one is " +
                      "work the smaller layer does less efficiently (fewer channels to fill the kernel's tiles); the last rows are what MACs do not count.");
        md.AppendLine();
        md.AppendLine($"![forward time per layer]({ComputePlot.FileName})");
        md.AppendLine();
        ComputeTable.Markdown(md, compute);
        md.AppendLine();
        md.AppendLine(ComputeTable.Method(compute, s.Device) + (s.PromptInStage2 && s.PromptAtTest == true
            ? " The pruned network runs behind its prompt and the dense one does not; the prompt's time is in the pruned \"everything else\"."
            : ""));
    }

    /// <summary>Why the masked and extracted counts agree or differ, so a reader does not suspect an error.</summary>
    private static string MacsNote(PruneSummary s) => (s.Mode, s.Pruned.Macs == s.MaskedMacs) switch
    {
        ("shared", true) => "In shared mode one mask per residual group makes the two networks identical, so the counts agree.",
        ("shared", false) => "**The counts differ although shared mode makes the two networks identical: check the run.**",
        (_, _) => "In union mode each residual stream keeps the union of its convs' masks (the masked-off channels inside it held at zero), " +
                  "so the extracted count is usually the higher one; the extracted network is what runs.",
    };
}
