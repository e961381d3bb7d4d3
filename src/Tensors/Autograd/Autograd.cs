namespace SparseCore.Tensors;

/// <summary>
/// Reverse-mode automatic differentiation on a tape. Ops call <see cref="Record"/>; Backward walks
/// the tape in reverse (a valid reverse topological order, since the tape is in execution order),
/// accumulates leaf gradients into <see cref="Tensor.Grad"/>, frees each intermediate gradient as
/// soon as its node is processed, and then clears the tape, as PyTorch frees its graph.
/// </summary>
public static class Autograd
{
    [ThreadStatic] private static int noGradDepth;

    public static bool IsEnabled => noGradDepth == 0;

    /// <summary>Within the returned scope no op is recorded (evaluation, optimizer updates).</summary>
    public static IDisposable NoGrad()
    {
        noGradDepth++;
        return new NoGradScope();
    }

    private sealed class NoGradScope : IDisposable
    {
        private bool disposed;
        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            noGradDepth--;
        }
    }

    /// <summary>Number of ops currently recorded on this thread's tape (tests check it stays flat).</summary>
    public static int TapeLength => Tape.Current.Count;

    /// <summary>Records an op if any input requires grad; marks the output accordingly.</summary>
    public static void Record(string op, Tensor output, Tensor[] inputs, BackwardFunction backward)
    {
        if (!IsEnabled) return;
        bool any = false;
        foreach (var t in inputs) any |= t.RequiresGrad;
        if (!any) return;
        output.RequiresGrad = true;
        var node = new TapeNode(op, output, inputs, backward);
        output.Node = node;
        Tape.Current.Add(node);
    }

    internal static void Backward(Tensor root, Tensor? seed)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward: tensor {root.Shape} does not require grad (no parameter reaches it, or it was computed under NoGrad)");
        if (seed is null && root.Size != 1)
            throw new TensorShapeException("Backward", $"an implicit seed needs a scalar, got {root.Shape}; pass a seed gradient");
        if (seed is not null && seed.Shape != root.Shape)
            throw TensorShapeException.Mismatch("Backward", root.Shape, seed.Shape, "seed must match the root");

        var tape = Tape.Current;
        using var scope = new TensorScope();
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var rootGrad = seed is null ? Tensor.Full(root.Backend, root.Shape, 1f) : Copy(seed);
        Accumulate(root, rootGrad, grads);

        using (NoGrad())
        {
            for (int n = tape.Count - 1; n >= 0; n--)
            {
                var node = tape.Nodes[n];
                if (!grads.Remove(node.Output, out var gradOut)) continue;
                var needs = new bool[node.Inputs.Length];
                for (int i = 0; i < needs.Length; i++) needs[i] = node.Inputs[i].RequiresGrad;
                var inputGrads = node.Backward(gradOut, needs);
                gradOut.Dispose();
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    var g = inputGrads[i];
                    if (g is null) continue;
                    if (!needs[i]) { g.Dispose(); continue; }
                    if (g.Shape != node.Inputs[i].Shape)
                        throw TensorShapeException.Mismatch($"Backward of {node.Op}", node.Inputs[i].Shape, g.Shape, "gradient must match its input");
                    Accumulate(node.Inputs[i], g, grads);
                }
            }
        }
        foreach (var g in grads.Values) g.Dispose();
        tape.Clear();
    }

    private static Tensor Copy(Tensor t)
    {
        var c = Tensor.Empty(t.Backend, t.Shape);
        t.Backend.Copy(t.Buffer, 0, c.Buffer, 0, t.Size);
        return c;
    }

    private static void Accumulate(Tensor target, Tensor grad, Dictionary<Tensor, Tensor> intermediates)
    {
        if (target.IsLeaf)
        {
            if (target.Grad is null) target.Grad = grad.Persist();
            else
            {
                target.Backend.Axpby(1f, grad.Buffer, 1f, target.Grad.Buffer, grad.Size);
                grad.Dispose();
            }
            return;
        }
        if (intermediates.TryGetValue(target, out var existing))
        {
            target.Backend.Axpby(1f, grad.Buffer, 1f, existing.Buffer, grad.Size);
            grad.Dispose();
        }
        else intermediates[target] = grad;
    }
}
