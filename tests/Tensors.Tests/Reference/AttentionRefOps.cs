namespace SparseCore.Tensors.Tests.Reference;

/// <summary>
/// Scaled-dot-product and multi-head attention in double loops, with analytic backwards:
/// P = softmax(Q·Kᵀ/√d), O = P·V; dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)),
/// dQ = dS·K/√d, dK = dSᵀ·Q/√d. Multi-head follows torch.nn.MultiheadAttention's packed weights.
/// </summary>
public static class AttentionRefOps
{
    /// <summary>q [batch, T, d], k [batch, S, d], v [batch, S, dv] → [batch, T, dv] (or <paramref name="outShape"/>, the same data).</summary>
    public static RefOp ScaledDotProduct(int batch, int t, int s, int d, int dv, int[]? outShape = null) => new("ScaledDotProductAttention",
        xs =>
        {
            var y = new double[batch * t * dv];
            for (int b = 0; b < batch; b++)
            {
                var (o, _) = Attend(Part(xs[0], b, t * d), Part(xs[1], b, s * d), Part(xs[2], b, s * dv), t, s, d, dv);
                o.CopyTo(y, b * t * dv);
            }
            return new RefTensor(y, outShape ?? [batch, t, dv]);
        },
        (xs, g) =>
        {
            var dq = new double[xs[0].Size]; var dk = new double[xs[1].Size]; var dvv = new double[xs[2].Size];
            for (int b = 0; b < batch; b++)
            {
                var (q, k, v) = (Part(xs[0], b, t * d), Part(xs[1], b, s * d), Part(xs[2], b, s * dv));
                var (_, p) = Attend(q, k, v, t, s, d, dv);
                var (gq, gk, gv) = AttendBackward(q, k, v, p, Part(g, b, t * dv), t, s, d, dv);
                gq.CopyTo(dq, b * t * d); gk.CopyTo(dk, b * s * d); gv.CopyTo(dvv, b * s * dv);
            }
            return [new RefTensor(dq, xs[0].Shape), new RefTensor(dk, xs[1].Shape), new RefTensor(dvv, xs[2].Shape)];
        });

    /// <summary>Self-attention of x [B, T, E] with in_proj [3E, E] + [3E] and out_proj [E, E] + [E].</summary>
    public static RefOp MultiHead(int batch, int t, int e, int heads)
    {
        int d = e / heads, rows = batch * t;
        (double[] qkv, double[] merged, double[][] probs) Forward(RefTensor[] xs)
        {
            var qkv = Linear(xs[0].Data, xs[1].Data, xs[2].Data, rows, e, 3 * e);
            var merged = new double[rows * e];
            var probs = new double[batch * heads][];
            for (int b = 0; b < batch; b++)
                for (int h = 0; h < heads; h++)
                {
                    var (q, k, v) = (Head(qkv, b, h, 0), Head(qkv, b, h, 1), Head(qkv, b, h, 2));
                    var (o, p) = Attend(q, k, v, t, t, d, d);
                    probs[b * heads + h] = p;
                    for (int i = 0; i < t; i++)
                        for (int j = 0; j < d; j++) merged[(b * t + i) * e + h * d + j] = o[i * d + j];
                }
            return (qkv, merged, probs);
        }
        double[] Head(double[] qkv, int b, int h, int which)
        {
            var m = new double[t * d];
            for (int i = 0; i < t; i++)
                for (int j = 0; j < d; j++) m[i * d + j] = qkv[(b * t + i) * 3 * e + which * e + h * d + j];
            return m;
        }
        return new RefOp("MultiHeadAttention",
            xs => new RefTensor(Linear(Forward(xs).merged, xs[3].Data, xs[4].Data, rows, e, e), [batch, t, e]),
            (xs, g) =>
            {
                var (qkv, merged, probs) = Forward(xs);
                var (dMerged, dWOut, dBOut) = LinearBackward(merged, xs[3].Data, g.Data, rows, e, e);
                var dQkv = new double[rows * 3 * e];
                for (int b = 0; b < batch; b++)
                    for (int h = 0; h < heads; h++)
                    {
                        var dO = new double[t * d];
                        for (int i = 0; i < t; i++)
                            for (int j = 0; j < d; j++) dO[i * d + j] = dMerged[(b * t + i) * e + h * d + j];
                        var (gq, gk, gv) = AttendBackward(Head(qkv, b, h, 0), Head(qkv, b, h, 1), Head(qkv, b, h, 2), probs[b * heads + h], dO, t, t, d, d);
                        double[][] parts = [gq, gk, gv];
                        for (int w = 0; w < 3; w++)
                            for (int i = 0; i < t; i++)
                                for (int j = 0; j < d; j++) dQkv[(b * t + i) * 3 * e + w * e + h * d + j] = parts[w][i * d + j];
                    }
                var (dx, dWQkv, dBQkv) = LinearBackward(xs[0].Data, xs[1].Data, dQkv, rows, e, 3 * e);
                return [new RefTensor(dx, xs[0].Shape), new RefTensor(dWQkv, xs[1].Shape), new RefTensor(dBQkv, xs[2].Shape),
                        new RefTensor(dWOut, xs[3].Shape), new RefTensor(dBOut, xs[4].Shape)];
            });
    }

    private static double[] Part(RefTensor x, int b, int size) => x.Data.AsSpan(b * size, size).ToArray();

    private static (double[] o, double[] p) Attend(double[] q, double[] k, double[] v, int t, int s, int d, int dv)
    {
        double scale = 1 / Math.Sqrt(d);
        var scores = new double[t * s];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < s; j++)
            {
                double acc = 0;
                for (int c = 0; c < d; c++) acc += q[i * d + c] * k[j * d + c];
                scores[i * s + j] = scale * acc;
            }
        var p = RefOps.SoftmaxRows(scores, t, s, log: false);
        var o = new double[t * dv];
        for (int i = 0; i < t; i++)
            for (int c = 0; c < dv; c++)
                for (int j = 0; j < s; j++) o[i * dv + c] += p[i * s + j] * v[j * dv + c];
        return (o, p);
    }

    private static (double[] dq, double[] dk, double[] dv) AttendBackward(double[] q, double[] k, double[] v, double[] p, double[] dO,
                                                                          int t, int s, int d, int dv)
    {
        double scale = 1 / Math.Sqrt(d);
        var dV = new double[s * dv];
        var dS = new double[t * s];
        for (int i = 0; i < t; i++)
        {
            var dP = new double[s];
            double dot = 0;
            for (int j = 0; j < s; j++)
            {
                for (int c = 0; c < dv; c++)
                {
                    dP[j] += dO[i * dv + c] * v[j * dv + c];
                    dV[j * dv + c] += p[i * s + j] * dO[i * dv + c];
                }
                dot += p[i * s + j] * dP[j];
            }
            for (int j = 0; j < s; j++) dS[i * s + j] = p[i * s + j] * (dP[j] - dot);
        }
        var dQ = new double[t * d]; var dK = new double[s * d];
        for (int i = 0; i < t; i++)
            for (int j = 0; j < s; j++)
                for (int c = 0; c < d; c++)
                {
                    dQ[i * d + c] += scale * dS[i * s + j] * k[j * d + c];
                    dK[j * d + c] += scale * dS[i * s + j] * q[i * d + c];
                }
        return (dQ, dK, dV);
    }

    /// <summary>y [rows, outs] = x [rows, ins]·Wᵀ + b with W [outs, ins].</summary>
    private static double[] Linear(double[] x, double[] w, double[] b, int rows, int ins, int outs)
    {
        var y = new double[rows * outs];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outs; o++)
            {
                double acc = b[o];
                for (int i = 0; i < ins; i++) acc += x[r * ins + i] * w[o * ins + i];
                y[r * outs + o] = acc;
            }
        return y;
    }

    private static (double[] dx, double[] dw, double[] db) LinearBackward(double[] x, double[] w, double[] g, int rows, int ins, int outs)
    {
        var dx = new double[rows * ins]; var dw = new double[outs * ins]; var db = new double[outs];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outs; o++)
            {
                double gv = g[r * outs + o];
                db[o] += gv;
                for (int i = 0; i < ins; i++)
                {
                    dx[r * ins + i] += gv * w[o * ins + i];
                    dw[o * ins + i] += gv * x[r * ins + i];
                }
            }
        return (dx, dw, db);
    }
}
