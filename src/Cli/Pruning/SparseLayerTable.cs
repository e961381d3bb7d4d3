using System.Globalization;
using SparseCore.Pass.Unstructured;

namespace SparseCore.Cli.Pruning;

/// <summary>eval --sparse's per-layer plan as a text table: where weight sparsity turns into time and where the dense kernel stays faster.</summary>
internal static class SparseLayerTable
{
    public static string Format(IReadOnlyList<SparseLayer> layers, int batch)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = layers.Select(l => new[]
        {
            l.Name, l.Shape, (100 * l.Density).ToString("F1", c) + " %", Ms(l.DenseMs), Ms(l.SparseMs),
            double.IsNaN(l.DenseMs) ? "—" : (l.DenseMs / l.SparseMs).ToString("F2", c) + "×", l.Sparse ? "sparse" : "dense",
        }).ToList();
        return TextTable.Format(["layer", "weight", "density", $"dense ms (batch {batch})", "sparse ms", "speed-up", "kernel"], rows);
    }

    private static string Ms(double ms) => double.IsNaN(ms) ? "—" : ms.ToString("F2", CultureInfo.InvariantCulture);
}
