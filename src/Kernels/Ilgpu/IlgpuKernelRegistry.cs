using System.Reflection;
using ILGPU;

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
    public override string ToString() => $"{Name} ({Style})";
}

/// <summary>
/// The single list of kernel entry points: IlgpuBackend's constructor loads exactly these, and the
/// PTX test compiles exactly these (and checks that every [IlgpuKernel] method is listed).
/// </summary>
internal static class IlgpuKernelRegistry
{
    public const int Count = 27;

    private static IlgpuKernelEntry Implicit(Type owner, string name) => new(name, Find(owner, name), IlgpuKernelStyle.ImplicitlyGrouped);
    private static IlgpuKernelEntry Explicit(Type owner, string name) => new(name, Find(owner, name), IlgpuKernelStyle.ExplicitlyGrouped);

    private static MethodInfo Find(Type owner, string name) =>
        owner.GetMethod(name, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"ILGPU kernel {owner.Name}.{name} not found");

    // Elementwise (Elementwise/IlgpuElementwise.cs)
    public static readonly IlgpuKernelEntry Fill = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Fill));
    public static readonly IlgpuKernelEntry Unary = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Unary));
    public static readonly IlgpuKernelEntry UnaryBackward = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.UnaryBackward));
    public static readonly IlgpuKernelEntry Binary = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Binary));
    public static readonly IlgpuKernelEntry BinaryGradA = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.BinaryGradA));
    public static readonly IlgpuKernelEntry BinaryGradBPerThread = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.BinaryGradBPerThread));
    public static readonly IlgpuKernelEntry BinaryGradBPerGroup = Explicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.BinaryGradBPerGroup));
    public static readonly IlgpuKernelEntry Axpby = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Axpby));
    public static readonly IlgpuKernelEntry Affine = Implicit(typeof(IlgpuElementwiseKernels), nameof(IlgpuElementwiseKernels.Affine));

    // Random (Random/IlgpuRandom.cs)
    public static readonly IlgpuKernelEntry FillRandom = Implicit(typeof(IlgpuRandomKernels), nameof(IlgpuRandomKernels.FillRandom));

    // Reductions (Reduce/IlgpuReduce.cs)
    public static readonly IlgpuKernelEntry ReduceSumRows = Explicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceSumRows));
    public static readonly IlgpuKernelEntry ReduceSumColumns = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceSumColumns));
    public static readonly IlgpuKernelEntry ReduceSumBackward = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceSumBackward));
    public static readonly IlgpuKernelEntry ReduceMaxRows = Explicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceMaxRows));
    public static readonly IlgpuKernelEntry ReduceMaxColumns = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceMaxColumns));
    public static readonly IlgpuKernelEntry ReduceMaxBackward = Implicit(typeof(IlgpuReduceKernels), nameof(IlgpuReduceKernels.ReduceMaxBackward));

    // Softmax and loss (Softmax/IlgpuSoftmax.cs)
    public static readonly IlgpuKernelEntry Softmax = Explicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.Softmax));
    public static readonly IlgpuKernelEntry SoftmaxBackward = Explicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.SoftmaxBackward));
    public static readonly IlgpuKernelEntry CrossEntropy = Explicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.CrossEntropy));
    public static readonly IlgpuKernelEntry CrossEntropyBackward = Implicit(typeof(IlgpuSoftmaxKernels), nameof(IlgpuSoftmaxKernels.CrossEntropyBackward));

    // Optimizers (Optim/IlgpuOptim.cs)
    public static readonly IlgpuKernelEntry SgdStep = Implicit(typeof(IlgpuOptimKernels), nameof(IlgpuOptimKernels.SgdStep));
    public static readonly IlgpuKernelEntry AdamWStep = Implicit(typeof(IlgpuOptimKernels), nameof(IlgpuOptimKernels.AdamWStep));

    // GEMM (Gemm/IlgpuGemm.cs)
    public static readonly IlgpuKernelEntry GemmSmall = Implicit(typeof(IlgpuGemmKernels), nameof(IlgpuGemmKernels.GemmSmall));
    public static readonly IlgpuKernelEntry GemmTiled = Explicit(typeof(IlgpuGemmKernels), nameof(IlgpuGemmKernels.GemmTiled));

    // conv2d (Conv/IlgpuConv.cs): one implicit-GEMM kernel for all three passes, the split-K
    // partial sum of the weight gradient, and the bias gradient.
    public static readonly IlgpuKernelEntry ConvGemm = Explicit(typeof(IlgpuConvKernels), nameof(IlgpuConvKernels.ConvGemm));
    public static readonly IlgpuKernelEntry ConvSplitKSum = Implicit(typeof(IlgpuConvKernels), nameof(IlgpuConvKernels.ConvSplitKSum));
    public static readonly IlgpuKernelEntry ConvBiasGrad = Explicit(typeof(IlgpuConvKernels), nameof(IlgpuConvKernels.ConvBiasGrad));

    public static IReadOnlyList<IlgpuKernelEntry> All { get; } =
    [
        Fill, Unary, UnaryBackward, Binary, BinaryGradA, BinaryGradBPerThread, BinaryGradBPerGroup, Axpby, Affine,
        FillRandom,
        ReduceSumRows, ReduceSumColumns, ReduceSumBackward, ReduceMaxRows, ReduceMaxColumns, ReduceMaxBackward,
        Softmax, SoftmaxBackward, CrossEntropy, CrossEntropyBackward,
        SgdStep, AdamWStep,
        GemmSmall, GemmTiled,
        ConvGemm, ConvSplitKSum, ConvBiasGrad,
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
