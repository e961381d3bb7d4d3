using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Norm;

namespace SparseCore.Cli.GpuCheck;

/// <summary>One GEMM to time: row-major C[M, N] = op(A)·op(B) with K the reduction.</summary>
internal sealed record GemmCase(string Label, bool TransA, bool TransB, int M, int N, int K);

/// <summary>One conv layer to time in all three passes.</summary>
internal sealed record ConvCase(string Label, Conv2dShape Shape);

/// <summary>One training step to split into device and host time.</summary>
internal sealed record StepCase(string Model, int Batch, int Side, int Steps);

/// <summary>
/// What `gpu-check` measures: the full set (a GPU; about a minute of kernels on an H100 by the
/// flop counts) or the small set that only exercises the plumbing on ILGPU's CPU simulator.
/// </summary>
internal sealed class GpuCheckShapes
{
    public required int Repetitions { get; init; }
    public required IReadOnlyList<GemmCase> Gemms { get; init; }
    public required IReadOnlyList<ConvCase> Convs { get; init; }
    public required IReadOnlyList<(string Label, BatchNormShape Shape)> BatchNorms { get; init; }
    /// <summary>Reductions as (label, outer, axis, inner): rows reduce a contiguous axis, columns a strided one.</summary>
    public required IReadOnlyList<(string Label, int Outer, int Axis, int Inner)> Reductions { get; init; }
    /// <summary>The training step: model (ResNet-20 on a GPU), batch, image side, and the steps timed.</summary>
    public required StepCase Step { get; init; }

    public static GpuCheckShapes Full { get; } = new()
    {
        Repetitions = 20,
        Gemms =
        [
            new("square NN", false, false, 4096, 4096, 4096),
            new("square NT", false, true, 4096, 4096, 4096),
            new("square TN", true, false, 4096, 4096, 4096),
            // Linear layers (y = x·Wᵀ is NT, dW = dyᵀ·x is TN, dx = dy·W is NN) at the models' sizes.
            new("LSTM gates, batch 64, hidden 256 (x·Wᵀ)", false, true, 64, 1024, 256),
            new("MLP 784→256, batch 128 (x·Wᵀ)", false, true, 128, 256, 784),
            new("ViT-Tiny qkv, batch 128 × 65 tokens (x·Wᵀ)", false, true, 8320, 576, 192),
            new("ViT-Tiny MLP up (x·Wᵀ)", false, true, 8320, 768, 192),
            new("ViT-Tiny MLP down, weight grad (dyᵀ·x)", true, false, 192, 768, 8320),
            new("ViT-Tiny MLP down, data grad (dy·W)", false, false, 8320, 768, 192),
            new("ResNet-18 fc, batch 128 (x·Wᵀ)", false, true, 128, 1000, 512),
        ],
        Convs =
        [
            new("ResNet-20 stage 1 (16→16, 32²)", new Conv2dShape(128, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1)),
            new("ResNet-20 stage 2 entry (16→32, /2)", new Conv2dShape(128, 16, 32, 32, 32, 3, 3, 2, 2, 1, 1)),
            new("ResNet-20 stage 2 (32→32, 16²)", new Conv2dShape(128, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1)),
            new("ResNet-20 stage 3 (64→64, 8²)", new Conv2dShape(128, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1)),
            new("ResNet-18 layer1 (64→64, 32²)", new Conv2dShape(128, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1)),
            new("ResNet-18 layer2 entry (64→128, /2)", new Conv2dShape(128, 64, 32, 32, 128, 3, 3, 2, 2, 1, 1)),
            new("ResNet-18 layer2 (128→128, 16²)", new Conv2dShape(128, 128, 16, 16, 128, 3, 3, 1, 1, 1, 1)),
            new("ResNet-18 layer3 (256→256, 8²)", new Conv2dShape(128, 256, 8, 8, 256, 3, 3, 1, 1, 1, 1)),
            new("ResNet-18 layer4 (512→512, 4²)", new Conv2dShape(128, 512, 4, 4, 512, 3, 3, 1, 1, 1, 1)),
            new("ResNet-18 1×1 shortcut (64→128, /2)", new Conv2dShape(128, 64, 32, 32, 128, 1, 1, 2, 2, 0, 0)),
        ],
        BatchNorms =
        [
            ("ResNet-18 layer1 [128, 64, 32²]", new BatchNormShape(128, 64, 32 * 32)),
            ("ResNet-20 stage 3 [128, 64, 8²]", new BatchNormShape(128, 64, 8 * 8)),
            ("ResNet-18 layer4 [128, 512, 4²]", new BatchNormShape(128, 512, 4 * 4)),
        ],
        Reductions =
        [
            ("rows [8192 × 4096]", 8192, 4096, 1),
            ("columns [4096 × 8192]", 1, 4096, 8192),
            ("one long row [1 × 2²⁴]", 1, 1 << 24, 1),
        ],
        Step = new("resnet20", 128, 32, 20),
    };

    /// <summary>Odd little shapes: every code path once, in seconds on the CPU simulator.</summary>
    public static GpuCheckShapes Small { get; } = new()
    {
        Repetitions = 2,
        Gemms =
        [
            new("square NN", false, false, 67, 65, 33),
            new("square NT", false, true, 67, 65, 33),
            new("square TN", true, false, 67, 65, 33),
        ],
        Convs = [new("tiny 3×3 (3→5, 7²)", new Conv2dShape(2, 3, 7, 7, 5, 3, 3, 1, 1, 1, 1))],
        BatchNorms = [("tiny [2, 3, 5²]", new BatchNormShape(2, 3, 25))],
        Reductions = [("rows [5 × 37]", 5, 37, 1), ("columns [37 × 5]", 1, 37, 5)],
        // ResNet-20's 263 launches take a minute on the simulator; the MLP runs the same code path in seconds.
        Step = new("mlp", 2, 4, 1),
    };
}
