using System.Globalization;
using System.Text;
using SparseCore.Models.IO;
using SparseCore.Pass.Compute;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// `sparsecore explain`'s markdown: what the network is, the one-line answer (how much of the MACs
/// reduction became time), the plot, the per-layer table and how it was measured.
/// </summary>
internal static class ExplainReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Title(string checkpoint, ModelDescription m, ComputeProfile p) =>
        string.Create(C, $"Where the time goes: {Path.GetFileName(checkpoint)} ({m.Name}{(p.HasPruned ? ", pruned" : "")}, {m.Channels}×{m.Height}×{m.Width} images, batch {p.Batch})");

    /// <summary>The answer in one sentence.</summary>
    public static string Summary(ComputeProfile p)
    {
        double layerShare = p.Layers.Sum(l => l.DenseMs) / p.DenseForwardMs;
        if (!p.HasPruned)
            return string.Create(C, $"{p.DenseMacs / 1e6:F2} M MACs per image, {p.DenseForwardMs:F3} ms per forward ({ComputeProfile.Gflops(p.DenseMacs, p.Batch, p.DenseForwardMs):F1} GFLOP/s); ") +
                   string.Create(C, $"the conv and linear layers take {layerShare:P1} of it. A dense network: no per-layer widths to compare against.");
        return string.Create(C, $"The pruned network does {(double)p.PrunedMacs!.Value / p.DenseMacs:P1} of the MACs of its backbone at full width: ") +
               $"its MACs predict a {ComputeTable.Times(p.PredictedSpeedup)} speed-up, the forward measured {ComputeTable.Times(p.MeasuredSpeedup)} " +
               string.Create(C, $"({p.DenseForwardMs:F3} → {p.PrunedForwardMs!.Value:F3} ms).");
    }

    public static string Markdown(string checkpoint, ModelDescription m, ComputeProfile p, string device, string plotFile)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {Title(checkpoint, m, p)}");
        md.AppendLine();
        md.AppendLine(Summary(p));
        md.AppendLine();
        md.AppendLine($"![forward time per layer]({plotFile})");
        md.AppendLine();
        ComputeTable.Markdown(md, p);
        md.AppendLine();
        md.AppendLine(ComputeTable.Method(p, device) + (p.HasPruned
            ? " The dense network is the checkpoint's backbone rebuilt at full width (seeded weights: the dense kernels' time does not depend on the values), " +
              "behind the same prompt and label mapping as the pruned one; predicted speed-up = dense MACs / pruned MACs, measured = dense time / pruned time."
            : ""));
        return md.ToString();
    }
}
