using System.Globalization;
using System.Text;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Unstructured;
using static SparseCore.Cli.Pruning.ReportFormat;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// How far weight-mask runs at one budget agree: for each pair, the share of A's kept weights that
/// B keeps too (random masks at density d agree on about d). A last row and column is the mask
/// VPNs and HYDRA start from — HYDRA's scaled magnitude at the budget, recomputed from the first
/// run's dense network — so how far score training moved the mask is read off directly.
/// </summary>
internal static class MaskOverlap
{
    public const string Start = "scaled-magnitude start";

    /// <summary>The markdown table for <paramref name="runs"/> (weight mode, one model and budget, each folder holding weight-masks.safetensors).</summary>
    public static string Table(IReadOnlyList<(string Folder, PruneSummary Summary)> runs)
    {
        var masks = runs.Select(r => (Label: Method(r.Summary.Method), Masks: WeightMasks.Read(Path.Combine(r.Folder, WeightMasks.FileName)).Masks)).ToList();
        string dense = Path.Combine(runs[0].Folder, DenseNetwork.FileName);
        if (File.Exists(dense)) masks.Add((Start, ScaledMagnitudeStart(dense, runs[0].Summary.Sparsity!.Value)));
        var names = masks[0].Masks.Keys.ToArray();
        var flat = masks.Select(m => names.SelectMany(n => m.Masks[n]).ToArray()).ToList();
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("| kept by ↓ also kept by → | " + string.Join(" | ", masks.Select(m => m.Label)) + " |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", masks.Count)));
        for (int a = 0; a < flat.Count; a++)
        {
            long keptA = flat[a].Count(v => v != 0f);
            var cells = flat.Select(b => (100.0 * flat[a].Where((v, i) => v != 0f && b[i] != 0f).Count() / keptA).ToString("F1", c));
            md.AppendLine($"| {masks[a].Label} | " + string.Join(" | ", cells) + " |");
        }
        return md.ToString();
    }

    private static IReadOnlyDictionary<string, float[]> ScaledMagnitudeStart(string dense, double sparsity)
    {
        using var cpu = new CpuBackend();
        var info = Checkpoint.ReadInfo(dense);
        using var net = PromptSpec.Build(info.Model!, ModuleInit.Undrawn(cpu));
        Checkpoint.Load(dense, net);
        using var scored = new ScoredWeights(net, sparsity);
        return scored.Masks();
    }
}
