using SparseCore.Kernels.Gemm;

namespace SparseCore.Tensors;

/// <summary>
/// The LSTM as torch.nn.LSTM defines it (one layer, gate order i, f, g, o; weight_ih_l0 [4H, In],
/// weight_hh_l0 [4H, H], bias_ih_l0 and bias_hh_l0 [4H]).
/// </summary>
public static partial class F
{
    /// <summary>
    /// One step: gates = x·W_ihᵀ + h·W_hhᵀ + b_ih + b_hh (two GEMMs into one [B, 4H] buffer, the
    /// biases added by the fused pointwise kernel), c' = f·c + i·g, h' = o·tanh(c').
    /// Recorded as one tape node whose output is the packed state [2, B, H]; h' and c' are slices of
    /// it, so gradients reaching either (or both) meet in that node and its backward runs the fused
    /// kernel and the four weight/input GEMMs once.
    /// </summary>
    public static (Tensor H, Tensor C) LstmCell(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh)
    {
        var state = LstmState(x, h, c, wIh, wHh, bIh, bHh);
        int batch = h.Shape[0], hidden = h.Shape[1];
        return (Reshape(Slice(state, 0, 0, 1), new Shape(batch, hidden)), Reshape(Slice(state, 0, 1, 1), new Shape(batch, hidden)));
    }

    /// <summary>
    /// Runs the cell over a sequence with a different input [B, In] per step, from (h0, c0).
    /// Returns the hidden state after every step (Hidden[t] = h_{t+1}; the last is the final h) and
    /// the final cell state. Backpropagation through time is the tape: a loss on any Hidden[t]
    /// reaches every earlier step and every parameter.
    /// </summary>
    public static (IReadOnlyList<Tensor> Hidden, Tensor C) Lstm(IReadOnlyList<Tensor> inputs, Tensor h0, Tensor c0,
                                                              Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh)
    {
        if (inputs.Count == 0) throw new TensorShapeException("Lstm", "needs at least one input step");
        var hidden = new Tensor[inputs.Count];
        var (h, c) = (h0, c0);
        for (int t = 0; t < inputs.Count; t++)
        {
            (h, c) = LstmCell(inputs[t], h, c, wIh, wHh, bIh, bHh);
            hidden[t] = h;
        }
        return (hidden, c);
    }

    private static Tensor LstmState(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh)
    {
        CheckLstmShapes(x, h, c, wIh, wHh, bIh, bHh);
        var backend = x.Backend;
        int batch = x.Shape[0], input = x.Shape[1], hidden = h.Shape[1], g4 = 4 * hidden;
        var gates = Tensor.Empty(backend, new Shape(batch, g4));
        backend.Gemm(new GemmSpec(false, true, batch, g4, input), x.Buffer, wIh.Buffer, gates.Buffer);
        backend.Gemm(new GemmSpec(false, true, batch, g4, hidden, 1f, 1f), h.Buffer, wHh.Buffer, gates.Buffer);
        var state = Tensor.Empty(backend, new Shape(2, batch, hidden));
        // In place: the pre-activations are not needed again, the activated gates are what the backward reads.
        backend.LstmCellForward(batch, hidden, gates.Buffer, bIh.Buffer, bHh.Buffer, c.Buffer, gates.Buffer, state.Buffer);
        Autograd.Record("LstmCell", state, [x, h, c, wIh, wHh, bIh, bHh], (g, needs) =>
        {
            using var dGates = Tensor.Empty(backend, gates.Shape);
            var dc = Tensor.Empty(backend, c.Shape);
            backend.LstmCellBackward(batch, hidden, gates.Buffer, c.Buffer, state.Buffer, g.Buffer, dGates.Buffer, dc.Buffer);
            var grads = new Tensor?[7];
            if (needs[0]) grads[0] = GemmToNew(dGates, false, wIh, false, x.Shape, batch, input, g4);
            if (needs[1]) grads[1] = GemmToNew(dGates, false, wHh, false, h.Shape, batch, hidden, g4);
            if (needs[2]) grads[2] = dc; else dc.Dispose();
            if (needs[3]) grads[3] = GemmToNew(dGates, true, x, false, wIh.Shape, g4, input, batch);
            if (needs[4]) grads[4] = GemmToNew(dGates, true, h, false, wHh.Shape, g4, hidden, batch);
            if (needs[5] || needs[6])
            {
                // Both biases enter the gates identically, so both get Σ_batch dGates.
                var db = Tensor.Empty(backend, bIh.Shape);
                backend.ReduceSum(dGates.Buffer, db.Buffer, 1, batch, g4);
                if (needs[5] && needs[6])
                {
                    grads[6] = Tensor.Empty(backend, bHh.Shape);
                    backend.Copy(db.Buffer, 0, grads[6]!.Buffer, 0, g4);
                }
                grads[needs[5] ? 5 : 6] = db;
            }
            return grads;
        });
        if (!state.RequiresGrad) gates.Dispose(); // nothing will read the saved gates
        return state;
    }

    /// <summary>A new [m, n] tensor = op(a)·op(b) with inner extent k.</summary>
    private static Tensor GemmToNew(Tensor a, bool transA, Tensor b, bool transB, Shape shape, int m, int n, int k)
    {
        var y = Tensor.Empty(a.Backend, shape);
        Gemm(a, transA, b, transB, y, m, n, k, 1);
        return y;
    }

    private static void CheckLstmShapes(Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh)
    {
        const string op = "LstmCell";
        foreach (var t in new[] { h, c, wIh, wHh, bIh, bHh }) CheckSameBackend(op, x, t);
        if (x.Rank != 2 || h.Rank != 2 || x.Shape[0] != h.Shape[0])
            throw TensorShapeException.Mismatch(op, x.Shape, h.Shape, "needs input x [B, In] and hidden state h [B, H]");
        if (c.Shape != h.Shape)
            throw TensorShapeException.Mismatch(op, h.Shape, c.Shape, "the cell state c must have the hidden state's shape [B, H]");
        int input = x.Shape[1], g4 = 4 * h.Shape[1];
        if (wIh.Shape != new Shape(g4, input))
            throw TensorShapeException.Mismatch(op, x.Shape, wIh.Shape, $"weight_ih must be [4H, In] = [{g4}, {input}]");
        if (wHh.Shape != new Shape(g4, h.Shape[1]))
            throw TensorShapeException.Mismatch(op, h.Shape, wHh.Shape, $"weight_hh must be [4H, H] = [{g4}, {h.Shape[1]}]");
        if (bIh.Shape != new Shape(g4) || bHh.Shape != new Shape(g4))
            throw TensorShapeException.Mismatch(op, bIh.Shape, bHh.Shape, $"bias_ih and bias_hh must be [4H] = [{g4}]");
    }
}
