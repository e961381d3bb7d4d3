namespace SparseCore.Tensors;

/// <summary>
/// Computes the gradients of an op's inputs from the gradient of its output. An entry of the
/// result may be null where <paramref name="needsGrad"/> is false or the input is not differentiable.
/// </summary>
public delegate Tensor?[] BackwardFunction(Tensor gradOutput, bool[] needsGrad);

/// <summary>One recorded op: its inputs, its output and how to backpropagate through it.</summary>
internal sealed class TapeNode(string op, Tensor output, Tensor[] inputs, BackwardFunction backward)
{
    public string Op { get; } = op;
    public Tensor Output { get; } = output;
    public Tensor[] Inputs { get; } = inputs;
    public BackwardFunction Backward { get; } = backward;
}
