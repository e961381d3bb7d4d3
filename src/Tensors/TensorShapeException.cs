namespace SparseCore.Tensors;

/// <summary>A shape error raised before any kernel runs; the message names the op and the shapes.</summary>
public sealed class TensorShapeException(string op, string detail) : ArgumentException($"{op}: {detail}")
{
    public string Op { get; } = op;

    public static TensorShapeException Mismatch(string op, Shape left, Shape right, string expectation) =>
        new(op, $"shape mismatch, lhs {left}, rhs {right}: {expectation}");
}
