namespace SparseCore.Tensors.Tests.Reference;

/// <summary>
/// One op as a double-precision reference: its forward, and its analytic backward that maps the
/// output gradient to one gradient per input. The backward is itself verified by finite
/// differences (<see cref="GradCheck"/>) before kernels are compared with it.
/// </summary>
public sealed class RefOp(string name, Func<RefTensor[], RefTensor> forward, Func<RefTensor[], RefTensor, RefTensor[]> backward)
{
    public string Name { get; } = name;
    public Func<RefTensor[], RefTensor> Forward { get; } = forward;
    public Func<RefTensor[], RefTensor, RefTensor[]> Backward { get; } = backward;

    /// <summary>The same op with its backward scaled: a deliberately wrong gradient.</summary>
    public RefOp WithScaledBackward(double factor) => new(Name + "×" + factor, Forward, (xs, g) =>
        Backward(xs, g).Select(t => new RefTensor(t.Data.Select(v => v * factor).ToArray(), t.Shape)).ToArray());
}
