using System.Globalization;
using System.Text;
using SparseCore.Pass.Pipeline;
using static SparseCore.Cli.Pruning.ReportFormat;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// report.md of a weight-mask run (VPNs, HYDRA, OMP, IMP, SNIP, SynFlow, random weights): accuracy
/// beside the global and per-layer density, nonzero parameters and nonzero MACs against the dense
/// ones — and, said plainly, that a dense kernel still runs every MAC, so the latency does not move.
/// </summary>
internal static class WeightReport
{
    public static string Markdown(PruneSummary s, string title)
    {
        var c = CultureInfo.InvariantCulture;
        var (d, p) = (s.Dense, s.Pruned);
        long total = s.Layers.Sum(l => (long)l.Channels), kept = s.Layers.Sum(l => (long)l.Kept);
        long nonzero = s.NonzeroParameters ?? p.Parameters;
        var md = new StringBuilder();
        md.AppendLine(c, $"# {title}");
        md.AppendLine();
        md.AppendLine(c, $"Test accuracy **{Accuracy(p.TestAccuracy)} %** (dense {Accuracy(d.TestAccuracy)} %, {Points(d.TestAccuracy, p.TestAccuracy)} points) " +
                         $"with **{Share(kept, total)}** of the prunable weights kept ({Count(kept)} of {Count(total)}): {Share(nonzero, d.Parameters)} of the parameters " +
                         $"and {Share(s.MaskedMacs, d.Macs)} of the MACs are nonzero.");
        if (s.PromptAblation is { } a)
            md.AppendLine(c, $"Tested {(s.PromptAtTest == true ? "with" : "without")} its visual prompt; with the prompt {Accuracy(a.WithPrompt)} %, without it {Accuracy(a.WithoutPrompt)} %.");
        if (s.LabelMap is { } map)
            md.AppendLine(c, $"Label mapping (target → source class): {string.Join(", ", map.Select((src, t) => $"{t}→{src}"))}.");
        md.AppendLine();
        md.AppendLine("## Dense vs pruned");
        md.AppendLine();
        md.AppendLine("| network | val acc % | test acc % | nonzero params (M) | nonzero MACs (M) | MACs a dense kernel runs (M) | latency median (ms) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        md.AppendLine(c, $"| dense | {Accuracy(d.ValidationAccuracy)} | {Accuracy(d.TestAccuracy)} | {MegaParameters(d.Parameters)} | {MegaMacs(d.Macs)} | {MegaMacs(d.Macs)} | {Milliseconds(d.LatencyMs)} |");
        md.AppendLine(c, $"| pruned (masked) | {Accuracy(p.ValidationAccuracy)} | {Accuracy(p.TestAccuracy)} | {MegaParameters(nonzero)} | {MegaMacs(s.MaskedMacs)} | {MegaMacs(p.Macs)} | {Milliseconds(p.LatencyMs)} |");
        md.AppendLine();
        md.AppendLine(c, $"![test accuracy vs nonzero MACs]({AccuracyMacsPlot.FileName})");
        md.AppendLine();
        md.AppendLine("## How it was measured");
        md.AppendLine();
        md.AppendLine("- **Weight masks stay masks**: the pruned weights are exactly zero in the checkpoint (stored as W ⊙ m beside the masks, " +
                      "`weight_mask.*`), and their gradients were masked in stage 2 so neither weight decay nor momentum revived them.");
        md.AppendLine("- **Nonzero MACs** count, layer by layer, the multiply-accumulates of the kept weights alone. **A dense kernel still runs every " +
                      "dense MAC**: the pruned network here executes them all, and its latency is the dense network's up to noise. " +
                      "Turning weight sparsity into time needs sparse kernels, which are separate work.");
        ReportSections.Latency(md, s);
        md.AppendLine(c, $"- **Accuracy** after stage 2, {(s.PromptInStage2 ? "with" : "without")} a visual prompt trained in stage 2; validation on the held-out training images, test read once.");
        md.AppendLine();
        ReportSections.Stages(md, s, "find the mask", "fine-tune with the mask fixed");
        ReportSections.Run(md, s, "");
        md.AppendLine("## Density per layer");
        md.AppendLine();
        md.AppendLine(c, $"![weights kept per layer]({WeightDensityPlot.FileName})");
        md.AppendLine();
        md.AppendLine("| weight | weights | kept | density |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var l in s.Layers)
            md.AppendLine(c, $"| {l.Name} | {Count(l.Channels)} | {Count(l.Kept)} | {Share(l.Kept, l.Channels)} |");
        md.AppendLine(c, $"| all prunable weights | {Count(total)} | {Count(kept)} | {Share(kept, total)} |");
        return md.ToString();
    }
}
