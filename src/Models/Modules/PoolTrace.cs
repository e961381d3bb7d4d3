using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>The output shape of a square-window pooling (floor rounding, as PyTorch's default).</summary>
internal static class PoolTrace
{
    public static Shape Output(string op, Shape input, int kernel, int stride, int padding, ShapeTrace trace)
    {
        if (input.Rank != 4) throw new TensorShapeException($"{op} '{trace.Name}'", $"needs [N, C, H, W], got {input}");
        int outH = (input[2] + 2 * padding - kernel) / stride + 1, outW = (input[3] + 2 * padding - kernel) / stride + 1;
        if (outH <= 0 || outW <= 0)
            throw new TensorShapeException($"{op} '{trace.Name}'", $"window {kernel} with padding {padding} does not fit input {input}");
        return new Shape(input[0], input[1], outH, outW);
    }
}
