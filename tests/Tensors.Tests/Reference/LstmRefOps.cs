namespace SparseCore.Tensors.Tests.Reference;

/// <summary>
/// torch.nn.LSTM's cell (gate order i, f, g, o) in double loops, and a sequence with
/// backpropagation through time written out step by step.
/// </summary>
public static class LstmRefOps
{
    /// <summary>Extents of one cell: batch, input features, hidden units.</summary>
    public readonly record struct Dims(int B, int In, int H);

    /// <summary>What one step keeps for its backward: its inputs and the activated gates [B, 4H].</summary>
    private sealed record Step(double[] X, double[] H, double[] C, double[] Act, double[] CNext);

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static Step Forward(Dims d, double[] x, double[] h, double[] c, double[] wIh, double[] wHh, double[] bIh, double[] bHh,
                                out double[] hNext)
    {
        int g4 = 4 * d.H;
        var act = new double[d.B * g4];
        for (int b = 0; b < d.B; b++)
            for (int r = 0; r < g4; r++)
            {
                double pre = bIh[r] + bHh[r];
                for (int k = 0; k < d.In; k++) pre += x[b * d.In + k] * wIh[r * d.In + k];
                for (int k = 0; k < d.H; k++) pre += h[b * d.H + k] * wHh[r * d.H + k];
                act[b * g4 + r] = r / d.H == 2 ? Math.Tanh(pre) : Sigmoid(pre);
            }
        var cNext = new double[d.B * d.H];
        hNext = new double[d.B * d.H];
        for (int b = 0; b < d.B; b++)
            for (int j = 0; j < d.H; j++)
            {
                int a = b * g4 + j, k = b * d.H + j;
                double i = act[a], f = act[a + d.H], g = act[a + 2 * d.H], o = act[a + 3 * d.H];
                cNext[k] = f * c[k] + i * g;
                hNext[k] = o * Math.Tanh(cNext[k]);
            }
        return new Step(x, h, c, act, cNext);
    }

    /// <summary>Adds this step's weight and bias gradients into dW*, db; returns dx, dh_prev, dc_prev.</summary>
    private static (double[] dx, double[] dh, double[] dc) Backward(Dims d, Step s, double[] wIh, double[] wHh, double[] dhNext, double[] dcNext,
                                                                     double[] dWih, double[] dWhh, double[] db)
    {
        int g4 = 4 * d.H;
        var dPre = new double[d.B * g4];
        var dc = new double[d.B * d.H];
        for (int b = 0; b < d.B; b++)
            for (int j = 0; j < d.H; j++)
            {
                int a = b * g4 + j, k = b * d.H + j;
                double i = s.Act[a], f = s.Act[a + d.H], g = s.Act[a + 2 * d.H], o = s.Act[a + 3 * d.H];
                double tc = Math.Tanh(s.CNext[k]);
                double dCell = dcNext[k] + dhNext[k] * o * (1 - tc * tc);
                dPre[a] = dCell * g * i * (1 - i);
                dPre[a + d.H] = dCell * s.C[k] * f * (1 - f);
                dPre[a + 2 * d.H] = dCell * i * (1 - g * g);
                dPre[a + 3 * d.H] = dhNext[k] * tc * o * (1 - o);
                dc[k] = dCell * f;
            }
        var dx = new double[d.B * d.In];
        var dh = new double[d.B * d.H];
        for (int b = 0; b < d.B; b++)
            for (int r = 0; r < g4; r++)
            {
                double gr = dPre[b * g4 + r];
                db[r] += gr;
                for (int k = 0; k < d.In; k++)
                {
                    dx[b * d.In + k] += gr * wIh[r * d.In + k];
                    dWih[r * d.In + k] += gr * s.X[b * d.In + k];
                }
                for (int k = 0; k < d.H; k++)
                {
                    dh[b * d.H + k] += gr * wHh[r * d.H + k];
                    dWhh[r * d.H + k] += gr * s.H[b * d.H + k];
                }
            }
        return (dx, dh, dc);
    }

    /// <summary>
    /// T steps: inputs [x_0 … x_{T−1}, h0, c0, W_ih, W_hh, b_ih, b_hh]; output [T + 1, B, H] =
    /// h_1 … h_T then c_T (T = 1 is one cell, with both h' and c' in the output).
    /// </summary>
    public static RefOp Sequence(Dims d, int steps) => new($"Lstm×{steps}",
        xs =>
        {
            Run(d, steps, xs, out var hs, out var c);
            return new RefTensor(hs.SelectMany(h => h).Concat(c).ToArray(), [steps + 1, d.B, d.H]);
        },
        (xs, grad) =>
        {
            var trace = Run(d, steps, xs, out _, out _);
            var (wIh, wHh) = (xs[steps + 2].Data, xs[steps + 3].Data);
            var dWih = new double[wIh.Length]; var dWhh = new double[wHh.Length]; var db = new double[4 * d.H];
            var dxs = new RefTensor[steps];
            int bh = d.B * d.H;
            var dh = new double[bh];
            var dc = grad.Data.Skip(steps * bh).Take(bh).ToArray();
            for (int t = steps - 1; t >= 0; t--)
            {
                var dhTotal = dh.Select((v, k) => v + grad.Data[t * bh + k]).ToArray();
                (var dx, dh, dc) = Backward(d, trace[t], wIh, wHh, dhTotal, dc, dWih, dWhh, db);
                dxs[t] = new RefTensor(dx, [d.B, d.In]);
            }
            return [.. dxs, new RefTensor(dh, [d.B, d.H]), new RefTensor(dc, [d.B, d.H]),
                    new RefTensor(dWih, xs[steps + 2].Shape), new RefTensor(dWhh, xs[steps + 3].Shape),
                    new RefTensor(db, [4 * d.H]), new RefTensor((double[])db.Clone(), [4 * d.H])];
        });

    private static Step[] Run(Dims d, int steps, RefTensor[] xs, out double[][] hs, out double[] c)
    {
        var trace = new Step[steps];
        hs = new double[steps][];
        var h = xs[steps].Data;
        c = xs[steps + 1].Data;
        for (int t = 0; t < steps; t++)
        {
            trace[t] = Forward(d, xs[t].Data, h, c, xs[steps + 2].Data, xs[steps + 3].Data, xs[steps + 4].Data, xs[steps + 5].Data, out h);
            hs[t] = h;
            c = trace[t].CNext;
        }
        return trace;
    }

    /// <summary>Random inputs for <see cref="Sequence"/>, weights scaled like PyTorch's U(−1/√H, 1/√H) init times 2.</summary>
    public static RefTensor[] Inputs(System.Random rng, Dims d, int steps)
    {
        var list = new List<RefTensor>();
        for (int t = 0; t < steps; t++) list.Add(RefTensor.Random(rng, d.B, d.In));
        list.Add(RefTensor.Random(rng, d.B, d.H));
        list.Add(RefTensor.Random(rng, d.B, d.H));
        double scale = 2 / Math.Sqrt(d.H);
        foreach (var shape in new[] { new[] { 4 * d.H, d.In }, [4 * d.H, d.H], [4 * d.H], [4 * d.H] })
        {
            var w = RefTensor.Random(rng, shape);
            for (int i = 0; i < w.Size; i++) w.Data[i] *= scale;
            list.Add(w);
        }
        return list.ToArray();
    }
}
