using System.Numerics;
using System.Numerics.Tensors;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>Pointwise and broadcast kernels: TensorPrimitives' SIMD loops over fixed chunks.</summary>
public partial class CpuBackend
{
    // Large enough that a chunk's work dwarfs the cost of handing it to a worker.
    private const int ElementGrain = 1 << 15;

    protected override void RunFill(DeviceBuffer<float> y, float value) => Span(y).Fill(value);

    protected override void RunUnary(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, int n)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            ReadOnlySpan<float> src = xa.AsSpan(s, e - s);
            Span<float> dst = ya.AsSpan(s, e - s);
            switch (op)
            {
                case UnaryOp.Neg: TensorPrimitives.Negate(src, dst); break;
                case UnaryOp.Relu: TensorPrimitives.Max(src, 0f, dst); break;
                case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(src, dst); break;
                case UnaryOp.Tanh: TensorPrimitives.Tanh(src, dst); break;
                case UnaryOp.Exp: TensorPrimitives.Exp(src, dst); break;
                case UnaryOp.Log: TensorPrimitives.Log(src, dst); break;
                case UnaryOp.Sign:
                    for (int i = 0; i < src.Length; i++) dst[i] = Pointwise.Sign(src[i]);
                    break;
                default:
                    for (int i = 0; i < src.Length; i++) dst[i] = Pointwise.Gelu(src[i]);
                    break;
            }
        });
    }

    protected override void RunUnaryBackward(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y); var dya = ArrayOf(dy); var dxa = ArrayOf(dx);
        int code = (int)op;
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            int i = s;
            if (op == UnaryOp.Relu)
            {
                // The hot backward of every CNN: a masked copy, vectorised.
                int w = Vector<float>.Count;
                for (; i + w <= e; i += w)
                {
                    var xv = new Vector<float>(xa, i);
                    var gv = new Vector<float>(dya, i);
                    Vector.ConditionalSelect(Vector.GreaterThan(xv, Vector<float>.Zero), gv, Vector<float>.Zero).CopyTo(dxa, i);
                }
            }
            for (; i < e; i++) dxa[i] = dya[i] * Pointwise.Derivative(code, xa[i], ya[i]);
        });
    }

    protected override void RunBinary(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, Broadcast shape)
    {
        var aa = ArrayOf(a); var ba = ArrayOf(b); var ya = ArrayOf(y);
        int mid = shape.Mid, inner = shape.Inner;
        if (inner == 1)
        {
            // Right operand is a whole row: vector-vector per outer row.
            CpuParallel.For(shape.Outer, Math.Max(1, ElementGrain / mid), (s, e) =>
            {
                for (int o = s; o < e; o++)
                    VectorOp(op, aa.AsSpan(o * mid, mid), ba.AsSpan(0, mid), ya.AsSpan(o * mid, mid));
            });
        }
        else
        {
            // Right operand is one scalar per (outer, mid) segment of length inner.
            int segments = shape.Outer * mid;
            CpuParallel.For(segments, Math.Max(1, ElementGrain / inner), (s, e) =>
            {
                for (int seg = s; seg < e; seg++)
                    ScalarOp(op, aa.AsSpan(seg * inner, inner), ba[seg % mid], ya.AsSpan(seg * inner, inner));
            });
        }
    }

    private static void VectorOp(BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            default: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    private static void ScalarOp(BinaryOp op, ReadOnlySpan<float> a, float b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            default: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    protected override void RunBinaryBackward(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> dy,
                                              DeviceBuffer<float>? da, DeviceBuffer<float>? db, Broadcast shape)
    {
        if (da is not null) BinaryGradA(op, a, b, dy, da, shape);
        if (db is not null) BinaryGradB(op, a, b, dy, db, shape);
    }

    private void BinaryGradA(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> dy, DeviceBuffer<float> da, Broadcast shape)
    {
        switch (op)
        {
            case BinaryOp.Add:
            case BinaryOp.Sub:
                RunCopy(dy, 0, da, 0, shape.Total);
                break;
            case BinaryOp.Mul:
                RunBinary(BinaryOp.Mul, dy, b, da, shape);
                break;
            default:
                RunBinary(BinaryOp.Div, dy, b, da, shape);
                break;
        }
    }

    /// <summary>db[m] = Σ_o Σ_i dy·∂/∂b, summed over o in increasing order for every m (deterministic).</summary>
    private static void BinaryGradB(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> dy, DeviceBuffer<float> db, Broadcast shape)
    {
        var aa = ArrayOf(a); var ba = ArrayOf(b); var dya = ArrayOf(dy); var dba = ArrayOf(db);
        int outer = shape.Outer, mid = shape.Mid, inner = shape.Inner;
        bool needsA = op is BinaryOp.Mul or BinaryOp.Div;
        if (outer == 1 && inner == 1 && op != BinaryOp.Div)
        {
            // Same shapes (a residual add): nothing to sum, so db is dy (negated, or times a) —
            // bit-identical to the double sum of one term, at copy speed.
            CpuParallel.For(mid, ElementGrain, (s, e) =>
            {
                var g = dya.AsSpan(s, e - s); var d = dba.AsSpan(s, e - s);
                switch (op)
                {
                    case BinaryOp.Add: g.CopyTo(d); break;
                    case BinaryOp.Sub: TensorPrimitives.Negate(g, d); break;
                    default: TensorPrimitives.Multiply(g, aa.AsSpan(s, e - s), d); break;
                }
            });
        }
        else if (inner == 1)
        {
            CpuParallel.For(mid, 256, (s, e) =>
            {
                int len = e - s;
                Span<double> acc = len <= 4096 ? stackalloc double[len] : new double[len];
                acc.Clear();
                for (int o = 0; o < outer; o++)
                {
                    int row = o * mid;
                    for (int m = s; m < e; m++)
                        acc[m - s] += needsA ? (double)dya[row + m] * aa[row + m] : dya[row + m];
                }
                for (int m = s; m < e; m++) dba[m] = FinishGradB(op, acc[m - s], ba[m]);
            });
        }
        else
        {
            CpuParallel.For(mid, Math.Max(1, ElementGrain / Math.Max(1, outer * inner)), (s, e) =>
            {
                for (int m = s; m < e; m++)
                {
                    double acc = 0;
                    for (int o = 0; o < outer; o++)
                    {
                        int seg = (o * mid + m) * inner;
                        var g = dya.AsSpan(seg, inner);
                        acc += needsA ? WideSum.Dot(g, aa.AsSpan(seg, inner)) : WideSum.Sum(g);
                    }
                    dba[m] = FinishGradB(op, acc, ba[m]);
                }
            });
        }
    }

    private static float FinishGradB(BinaryOp op, double sum, float b) => op switch
    {
        BinaryOp.Add => (float)sum,
        BinaryOp.Sub => (float)-sum,
        BinaryOp.Mul => (float)sum,
        _ => (float)(-sum / ((double)b * b)),
    };

    protected override void RunAxpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, int n)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            var xs = xa.AsSpan(s, e - s); var ys = ya.AsSpan(s, e - s);
            if (beta == 0f) TensorPrimitives.Multiply(xs, alpha, ys);
            else if (beta == 1f) TensorPrimitives.MultiplyAdd(xs, alpha, ys, ys);
            else for (int i = 0; i < xs.Length; i++) ys[i] = alpha * xs[i] + beta * ys[i];
        });
    }

    protected override void RunAffine(DeviceBuffer<float> x, DeviceBuffer<float> y, float scale, float shift, int n)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            var dst = ya.AsSpan(s, e - s);
            TensorPrimitives.Multiply(xa.AsSpan(s, e - s), scale, dst);
            if (shift != 0f) TensorPrimitives.Add(dst, shift, dst);
        });
    }
}
