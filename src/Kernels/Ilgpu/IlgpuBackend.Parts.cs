using ILGPU;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// The fixed partitions of the two-pass reductions: per-channel sums (batch-norm statistics and
/// gradients, the conv and elementwise bias gradients) cut each channel into parts of
/// <see cref="ReductionPartLength"/> values, a group each; per-column sums over rows (layer-norm
/// parameter gradients, the per-row bias gradient) one thread per part of
/// <see cref="ReductionRowsPerPart"/> rows and column. The parts depend on the shape alone and
/// are added in part order by a second pass, so the bits are the same on every run and device,
/// and a grid of one group per channel (64 groups on a 132-SM GPU) becomes thousands.
/// </summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Values per part of a channel (ResNet-18's first stage at batch 128: 131,072 values → 32 parts). Tests lower it.</summary>
    internal int ReductionPartLength { get; set; } = 4096;

    /// <summary>Rows per part of a per-column sum (ViT-Tiny at batch 128: 8320 rows → 130 parts). Tests lower it.</summary>
    internal int ReductionRowsPerPart { get; set; } = 64;

    /// <summary>(parts, part length) for a channel of <paramref name="count"/> values.</summary>
    internal (int Parts, int Length) ReductionParts(int count)
    {
        int length = Math.Max(1, Math.Min(ReductionPartLength, count));
        return ((count + length - 1) / length, length);
    }

    /// <summary>(parts, rows per part) for a per-column sum over <paramref name="rows"/> rows.</summary>
    internal (int Parts, int RowsPerPart) RowParts(int rows)
    {
        int perPart = Math.Max(1, ReductionRowsPerPart);
        return ((rows + perPart - 1) / perPart, perPart);
    }

    /// <summary>
    /// output[i] = Σ_z partial[z·length + i] for i &lt; length, z in increasing order: the second pass
    /// of every fixed-partition reduction (and of the conv weight gradient's split-K).
    /// </summary>
    internal void SumPartsInOrder(DeviceBuffer<float> partial, DeviceBuffer<float> output, int length, int parts)
        => convSplitKSumKernel(stream, new Index1D(length), View(partial), View(output), length, parts);
}
