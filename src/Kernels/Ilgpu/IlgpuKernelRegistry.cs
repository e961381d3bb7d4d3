using System.Reflection;
using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Layout;
using SparseCore.Kernels.Lstm;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Norm;
using SparseCore.Kernels.Optim;
using SparseCore.Kernels.Pool;
using SparseCore.Kernels.Random;
using SparseCore.Kernels.Reduce;
using SparseCore.Kernels.Softmax;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Marks a static method as an ILGPU kernel entry point; every one must be in <see cref="IlgpuKernelRegistry"/>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
internal sealed class IlgpuKernelAttribute : Attribute;

/// <summary>
/// Implicitly grouped: first parameter is an Index (one thread per index, ILGPU picks the group).
/// Explicitly grouped: launched with a KernelConfig; the kernel uses Group/Grid indices and barriers.
/// </summary>
internal enum IlgpuKernelStyle { ImplicitlyGrouped, ExplicitlyGrouped }

internal sealed record IlgpuKernelEntry(string Name, MethodInfo Method, IlgpuKernelStyle Style)
{
    /// <summary>
    /// Compile-time launch bounds (PTX .maxntid / .minnctapersm): with them ptxas budgets registers
    /// for the group size actually launched instead of the 1024-thread worst case. Explicit kernels only.
    /// </summary>
    public KernelSpecialization Specialization { get; init; } = KernelSpecialization.Empty;

    public override string ToString() => $"{Name} ({Style})";
}

/// <summary>
/// The single list of kernel entry points: IlgpuBackend's constructor loads exactly these, and the
/// PTX test compiles exactly these (and checks that every [IlgpuKernel] method is listed).
/// </summary>
internal static class IlgpuKernelRegistry
{
    public const int Count = 66;

    private static IlgpuKernelEntry Implicit(Type owner, string name) => new(name, Find(owner, name), IlgpuKernelStyle.ImplicitlyGrouped);
    /// <summary>
    /// An explicitly grouped kernel with launch bounds: at most <paramref name="maxGroup"/> threads a
    /// group (the row kernels' shared arrays hold <see cref="IlgpuBackend.MaxGroupSize"/>; the tile
    /// kernels launch exactly their thread count), so ptxas may give each thread registers for that
    /// group size rather than for 1024 threads.
    /// </summary>
    private static IlgpuKernelEntry Explicit(Type owner, string name, int maxGroup = IlgpuBackend.MaxGroupSize) =>
        new(name, Find(owner, name), IlgpuKernelStyle.ExplicitlyGrouped) { Specialization = new KernelSpecialization(maxGroup, null) };

    private static MethodInfo Find(Type owner, string name) =>
        owner.GetMethod(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"ILGPU kernel {owner.Name}.{name} not found");

    // Elementwise (Elementwise/IlgpuElementwiseKernels.cs)
    public static readonly IlgpuKernelEntry Fill = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Fill));
    public static readonly IlgpuKernelEntry Unary = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Unary));
    public static readonly IlgpuKernelEntry UnaryBackward = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.UnaryBackward));
    public static readonly IlgpuKernelEntry Binary = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Binary));
    public static readonly IlgpuKernelEntry BinaryGradA = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.BinaryGradA));
    public static readonly IlgpuKernelEntry BinaryGradBPerThread = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.BinaryGradBPerThread));
    public static readonly IlgpuKernelEntry BinaryGradBPerGroup = Explicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.BinaryGradBPerGroup));
    public static readonly IlgpuKernelEntry Axpby = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Axpby));
    public static readonly IlgpuKernelEntry Affine = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Affine));

    // Random (Random/IlgpuRandomKernels.cs)
    public static readonly IlgpuKernelEntry FillRandom = Implicit(typeof(IlgpuRandomKernels), nameof(IlgpuRandomKernels.FillRandom));

    // Reductions (Reduce/IlgpuReduceKernels.cs)
    public static readonly IlgpuKernelEntry ReduceSumRows = Explicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceSumRows));
    public static readonly IlgpuKernelEntry ReduceSumColumns = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceSumColumns));
    public static readonly IlgpuKernelEntry ReduceSumBackward = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceSumBackward));
    public static readonly IlgpuKernelEntry ReduceMaxRows = Explicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceMaxRows));
    public static readonly IlgpuKernelEntry ReduceMaxColumns = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceMaxColumns));
    public static readonly IlgpuKernelEntry ReduceMaxBackward = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceMaxBackward));
    public static readonly IlgpuKernelEntry CountEqual = Explicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.CountEqual));

    // Softmax and loss (Softmax/IlgpuSoftmaxKernels.cs)
    public static readonly IlgpuKernelEntry Softmax = Explicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.Softmax));
    public static readonly IlgpuKernelEntry SoftmaxBackward = Explicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.SoftmaxBackward));
    public static readonly IlgpuKernelEntry CrossEntropy = Explicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.CrossEntropy));
    public static readonly IlgpuKernelEntry CrossEntropyBackward = Implicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.CrossEntropyBackward));

    // Optimizers (Optim/IlgpuOptimKernels.cs)
    public static readonly IlgpuKernelEntry SgdStep = Implicit(typeof(IlgpuOptimKernels), nameof(IlgpuOptimKernels.SgdStep));
    public static readonly IlgpuKernelEntry AdamStep = Implicit(typeof(IlgpuOptimKernels), nameof(IlgpuOptimKernels.AdamStep));

    // GEMM (Gemm/IlgpuGemmKernels.cs)
    public static readonly IlgpuKernelEntry GemmSmall = Implicit(typeof(IlgpuGemmKernels), nameof(IlgpuGemmKernels.GemmSmall));
    public static readonly IlgpuKernelEntry GemmTiled = Explicit(typeof(IlgpuGemmKernels), nameof(IlgpuGemmKernels.GemmTiled), IlgpuGemmKernels.Threads);
    public static readonly IlgpuKernelEntry GemmSplitKSum = Implicit(typeof(IlgpuGemmKernels), nameof(IlgpuGemmKernels.GemmSplitKSum));

    // Masked channels: gather/scatter and the weight mask (Masked/IlgpuMaskedKernels.cs)
    public static readonly IlgpuKernelEntry GatherChannels = Implicit(typeof(IlgpuMaskedKernels), nameof(IlgpuMaskedKernels.GatherChannels));
    public static readonly IlgpuKernelEntry ScatterChannels = Implicit(typeof(IlgpuMaskedKernels), nameof(IlgpuMaskedKernels.ScatterChannels));
    public static readonly IlgpuKernelEntry ScatterChannelsZero = Implicit(typeof(IlgpuMaskedKernels), nameof(IlgpuMaskedKernels.ScatterChannelsZero));
    public static readonly IlgpuKernelEntry MaskWeight = Implicit(typeof(IlgpuMaskedKernels), nameof(IlgpuMaskedKernels.MaskWeight));
    public static readonly IlgpuKernelEntry MaskWeightGradOut = Explicit(typeof(IlgpuMaskedKernels), nameof(IlgpuMaskedKernels.MaskWeightGradOut));
    public static readonly IlgpuKernelEntry MaskWeightGradIn = Explicit(typeof(IlgpuMaskedKernels), nameof(IlgpuMaskedKernels.MaskWeightGradIn), IlgpuMaskedKernels.InMaskGroup);

    // The score mask's straight-through backward (Masked/IlgpuScoreMaskKernels.cs)
    public static readonly IlgpuKernelEntry ScoreMaskBackward = Implicit(typeof(IlgpuScoreMaskKernels), nameof(IlgpuScoreMaskKernels.ScoreMaskBackward));

    // PASS's recurrence masks (Masked/IlgpuThresholdMaskKernels.cs, Masked/IlgpuTopMaskKernels.cs)
    public static readonly IlgpuKernelEntry ThresholdMask = Explicit(typeof(IlgpuThresholdMaskKernels), nameof(IlgpuThresholdMaskKernels.ThresholdMask));
    public static readonly IlgpuKernelEntry TopMask = Implicit(typeof(IlgpuTopMaskKernels), nameof(IlgpuTopMaskKernels.TopMask));

    // GrowReg's and DepGraph's per-step channel penalties (Masked/IlgpuChannelPenaltyKernels.cs)
    public static readonly IlgpuKernelEntry ChannelSquares = Implicit(typeof(IlgpuChannelPenaltyKernels), nameof(IlgpuChannelPenaltyKernels.ChannelSquares));
    public static readonly IlgpuKernelEntry ChannelPenalty = Implicit(typeof(IlgpuChannelPenaltyKernels), nameof(IlgpuChannelPenaltyKernels.ChannelPenalty));
    public static readonly IlgpuKernelEntry UnitScales = Implicit(typeof(IlgpuChannelPenaltyKernels), nameof(IlgpuChannelPenaltyKernels.UnitScales));

    // LSTM cell (Lstm/IlgpuLstmKernels.cs)
    public static readonly IlgpuKernelEntry LstmCellForward = Implicit(typeof(IlgpuLstmKernels), nameof(IlgpuLstmKernels.LstmCellForward));
    public static readonly IlgpuKernelEntry LstmCellBackward = Implicit(typeof(IlgpuLstmKernels), nameof(IlgpuLstmKernels.LstmCellBackward));

    // Layout for attention and ViT (Layout/IlgpuLayoutKernels.cs)
    public static readonly IlgpuKernelEntry Permute = Implicit(typeof(IlgpuLayoutKernels), nameof(IlgpuLayoutKernels.Permute));
    public static readonly IlgpuKernelEntry CopyAxis = Implicit(typeof(IlgpuLayoutKernels), nameof(IlgpuLayoutKernels.CopyAxis));
    public static readonly IlgpuKernelEntry Patchify = Implicit(typeof(IlgpuLayoutKernels), nameof(IlgpuLayoutKernels.Patchify));
    public static readonly IlgpuKernelEntry PatchifyBackward = Implicit(typeof(IlgpuLayoutKernels), nameof(IlgpuLayoutKernels.PatchifyBackward));
    public static readonly IlgpuKernelEntry SubsamplePad = Implicit(typeof(IlgpuLayoutKernels), nameof(IlgpuLayoutKernels.SubsamplePad));
    public static readonly IlgpuKernelEntry SubsamplePadBackward = Implicit(typeof(IlgpuLayoutKernels), nameof(IlgpuLayoutKernels.SubsamplePadBackward));
    // Pooling (Pool/IlgpuPoolKernels.cs)
    public static readonly IlgpuKernelEntry MaxPool2d = Implicit(typeof(IlgpuPoolKernels), nameof(IlgpuPoolKernels.MaxPool2d));
    public static readonly IlgpuKernelEntry MaxPool2dBackward = Implicit(typeof(IlgpuPoolKernels), nameof(IlgpuPoolKernels.MaxPool2dBackward));
    public static readonly IlgpuKernelEntry AvgPool2d = Implicit(typeof(IlgpuPoolKernels), nameof(IlgpuPoolKernels.AvgPool2d));
    public static readonly IlgpuKernelEntry AvgPool2dBackward = Implicit(typeof(IlgpuPoolKernels), nameof(IlgpuPoolKernels.AvgPool2dBackward));

    // Normalisation (Norm/IlgpuNormKernels.cs)
    public static readonly IlgpuKernelEntry BatchNormStats = Explicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.BatchNormStats));
    public static readonly IlgpuKernelEntry BatchNormStatsCombine = Implicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.BatchNormStatsCombine));
    public static readonly IlgpuKernelEntry BatchNormEvalStats = Implicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.BatchNormEvalStats));
    public static readonly IlgpuKernelEntry FoldBatchNorm = Implicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.FoldBatchNorm));
    public static readonly IlgpuKernelEntry BatchNormApply = Implicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.BatchNormApply));
    public static readonly IlgpuKernelEntry BatchNormBackwardReduce = Explicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.BatchNormBackwardReduce));
    public static readonly IlgpuKernelEntry BatchNormBackwardCombine = Implicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.BatchNormBackwardCombine));
    public static readonly IlgpuKernelEntry BatchNormBackwardData = Implicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.BatchNormBackwardData));
    public static readonly IlgpuKernelEntry LayerNorm = Explicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.LayerNorm));
    public static readonly IlgpuKernelEntry LayerNormBackwardData = Explicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.LayerNormBackwardData));
    public static readonly IlgpuKernelEntry LayerNormBackwardParams = Implicit(typeof(IlgpuNormKernels), nameof(IlgpuNormKernels.LayerNormBackwardParams));
    // conv2d (Conv/IlgpuConvKernels.cs): one implicit-GEMM kernel for all three passes, the split-K
    // partial sum of the weight gradient, and the bias gradient.
    public static readonly IlgpuKernelEntry ConvGemm = Explicit(typeof(IlgpuConvKernels), nameof(IlgpuConvKernels.ConvGemm), IlgpuConvKernels.Threads);
    public static readonly IlgpuKernelEntry ConvSplitKSum = Implicit(typeof(IlgpuConvKernels), nameof(IlgpuConvKernels.ConvSplitKSum));
    public static readonly IlgpuKernelEntry ConvBiasGrad = Explicit(typeof(IlgpuConvKernels), nameof(IlgpuConvKernels.ConvBiasGrad));
    public static readonly IlgpuKernelEntry ConvEpilogue = Implicit(typeof(IlgpuConvKernels), nameof(IlgpuConvKernels.ConvEpilogue));

    // Sparse-weight conv and linear forward (Sparse/IlgpuSparseKernels.cs)
    public static readonly IlgpuKernelEntry SparseConv2d = Implicit(typeof(IlgpuSparseKernels), nameof(IlgpuSparseKernels.SparseConv2d));

    public static IReadOnlyList<IlgpuKernelEntry> All { get; } =
    [
        Fill, Unary, UnaryBackward, Binary, BinaryGradA, BinaryGradBPerThread, BinaryGradBPerGroup, Axpby, Affine,
        FillRandom,
        ReduceSumRows, ReduceSumColumns, ReduceSumBackward, ReduceMaxRows, ReduceMaxColumns, ReduceMaxBackward, CountEqual,
        Softmax, SoftmaxBackward, CrossEntropy, CrossEntropyBackward,
        SgdStep, AdamStep,
        GemmSmall, GemmTiled, GemmSplitKSum,
        GatherChannels, ScatterChannels, ScatterChannelsZero, MaskWeight, MaskWeightGradOut, MaskWeightGradIn,
        ScoreMaskBackward, ThresholdMask, TopMask,
        ChannelSquares, ChannelPenalty, UnitScales,
        LstmCellForward, LstmCellBackward,
        Permute, CopyAxis, Patchify, PatchifyBackward, SubsamplePad, SubsamplePadBackward,
        MaxPool2d, MaxPool2dBackward, AvgPool2d, AvgPool2dBackward,
        BatchNormStats, BatchNormStatsCombine, BatchNormEvalStats, BatchNormApply, FoldBatchNorm, BatchNormBackwardReduce, BatchNormBackwardCombine, BatchNormBackwardData,
        LayerNorm, LayerNormBackwardData, LayerNormBackwardParams,
        ConvGemm, ConvSplitKSum, ConvBiasGrad, ConvEpilogue,
        SparseConv2d,
    ];

    /// <summary>The implicitly grouped style is recognised by ILGPU from an Index first parameter.</summary>
    public static IlgpuKernelStyle StyleFromSignature(MethodInfo method)
    {
        var ps = method.GetParameters();
        var first = ps.Length > 0 ? ps[0].ParameterType : null;
        return first == typeof(Index1D) || first == typeof(Index2D) || first == typeof(Index3D)
            ? IlgpuKernelStyle.ImplicitlyGrouped : IlgpuKernelStyle.ExplicitlyGrouped;
    }
}
