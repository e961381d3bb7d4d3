using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Elementwise;

/// <summary>
/// The ILGPU pointwise kernels on ILGPU's CPU simulator (bounds-checked views) at small odd shapes,
/// against double-precision references written out here.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuElementwiseTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Theory]
    [InlineData(UnaryOp.Neg)]
    [InlineData(UnaryOp.Relu)]
    [InlineData(UnaryOp.Sigmoid)]
    [InlineData(UnaryOp.Tanh)]
    [InlineData(UnaryOp.Exp)]
    [InlineData(UnaryOp.Log)]
    [InlineData(UnaryOp.Gelu)]
    [InlineData(UnaryOp.Sign)]
    public void Unary_forward_and_backward_match_double_reference(UnaryOp op)
    {
        const int n = 1003;
        var x = Rand(n, 2, -3f, 3f);
        if (op == UnaryOp.Log) for (int i = 0; i < n; i++) x[i] = MathF.Abs(x[i]) + 0.05f;
        var dy = Rand(n, 3);
        using var xb = Upload(backend, x);
        using var yb = backend.Allocate<float>(n);
        using var dyb = Upload(backend, dy);
        using var dxb = backend.Allocate<float>(n);
        backend.Unary(op, xb, yb, n);
        backend.UnaryBackward(op, xb, yb, dyb, dxb, n);
        var y = new double[n]; var dx = new double[n];
        for (int i = 0; i < n; i++)
        {
            double v = x[i];
            (y[i], double d) = op switch
            {
                UnaryOp.Neg => (-v, -1.0),
                UnaryOp.Relu => (v > 0 ? v : 0, v > 0 ? 1.0 : 0.0),
                UnaryOp.Sigmoid => (1 / (1 + Math.Exp(-v)), Math.Exp(-v) / Math.Pow(1 + Math.Exp(-v), 2)),
                UnaryOp.Tanh => (Math.Tanh(v), 1 - Math.Tanh(v) * Math.Tanh(v)),
                UnaryOp.Exp => (Math.Exp(v), Math.Exp(v)),
                UnaryOp.Log => (Math.Log(v), 1 / v),
                UnaryOp.Sign => (Math.Sign(v), 0.0),
                _ => (Gelu(v), (Gelu(v + 1e-6) - Gelu(v - 1e-6)) / 2e-6),
            };
            dx[i] = dy[i] * d;
        }
        Close(backend.ToArray(yb), y, TranscendentalTolerance, $"{op} forward");
        Close(backend.ToArray(dxb), dx, TranscendentalTolerance, $"{op} backward");
    }

    private static double Gelu(double v) => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));

    public static TheoryData<BinaryOp, int, int, int> BinaryCases()
    {
        var data = new TheoryData<BinaryOp, int, int, int>();
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            data.Add(op, 1, 301, 1);   // same shape
            data.Add(op, 1, 1, 301);   // scalar
            data.Add(op, 7, 13, 1);    // per column of [rows, cols]
            data.Add(op, 3, 5, 11);    // per channel of NCHW
        }
        data.Add(BinaryOp.Mul, 3, 1100, 1); // wide bias: db by one thread per column
        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_broadcast_forward_and_backward_match_double_reference(BinaryOp op, int outer, int mid, int inner)
    {
        var shape = new Broadcast(outer, mid, inner);
        int n = shape.Total;
        var a = Rand(n, 4);
        var b = Rand(mid, 5, 0.5f, 1.5f);
        var dy = Rand(n, 6);
        using var ab = Upload(backend, a); using var bb = Upload(backend, b); using var dyb = Upload(backend, dy);
        using var yb = backend.Allocate<float>(n); using var dab = backend.Allocate<float>(n); using var dbb = backend.Allocate<float>(mid);
        backend.Binary(op, ab, bb, yb, shape);
        backend.BinaryBackward(op, ab, bb, dyb, dab, dbb, shape);
        var y = new double[n]; var da = new double[n]; var db = new double[mid];
        for (int o = 0; o < outer; o++)
            for (int m = 0; m < mid; m++)
                for (int i = 0; i < inner; i++)
                {
                    int j = (o * mid + m) * inner + i;
                    double av = a[j], bv = b[m];
                    (y[j], double dA, double dB) = op switch
                    {
                        BinaryOp.Add => (av + bv, 1.0, 1.0),
                        BinaryOp.Sub => (av - bv, 1.0, -1.0),
                        BinaryOp.Mul => (av * bv, bv, av),
                        _ => (av / bv, 1 / bv, -av / (bv * bv)),
                    };
                    da[j] = dy[j] * dA;
                    db[m] += dy[j] * dB;
                }
        Close(backend.ToArray(yb), y, GemmTolerance, $"{op} forward");
        Close(backend.ToArray(dab), da, GemmTolerance, $"{op} da");
        Close(backend.ToArray(dbb), db, GemmTolerance, $"{op} db");
    }

    /// <summary>
    /// The bias gradient's two passes with several parts: per-channel groups over 5-value parts,
    /// the wide per-column form over 2-row parts (the last short), a scalar over 301 values;
    /// the same double reference as above.
    /// </summary>
    [Theory]
    [InlineData(BinaryOp.Mul, 3, 1100, 1)]
    [InlineData(BinaryOp.Div, 3, 5, 11)]
    [InlineData(BinaryOp.Sub, 1, 1, 301)]
    [InlineData(BinaryOp.Add, 7, 13, 1)]
    public void The_bias_gradient_over_many_parts_matches_double_reference(BinaryOp op, int outer, int mid, int inner)
    {
        var (length, rows) = (backend.ReductionPartLength, backend.ReductionRowsPerPart);
        backend.ReductionPartLength = 5;
        backend.ReductionRowsPerPart = 2;
        try
        {
            Binary_broadcast_forward_and_backward_match_double_reference(op, outer, mid, inner);
        }
        finally
        {
            (backend.ReductionPartLength, backend.ReductionRowsPerPart) = (length, rows);
        }
    }

    [Fact]
    public void Axpby_affine_and_fill_match_reference_and_beta_zero_ignores_stale_y()
    {
        const int n = 517;
        var x = Rand(n, 7); var y0 = Rand(n, 8);
        using var xb = Upload(backend, x); using var yb = Upload(backend, y0);
        backend.Axpby(2f, xb, -0.5f, yb, n);
        Close(backend.ToArray(yb), x.Select((v, i) => 2.0 * v - 0.5 * y0[i]).ToArray(), GemmTolerance, "axpby");
        backend.Fill(yb, float.NaN);
        backend.Axpby(3f, xb, 0f, yb, n);
        Close(backend.ToArray(yb), x.Select(v => 3.0 * v).ToArray(), GemmTolerance, "axpby beta 0");
        backend.Affine(xb, yb, -1.5f, 0.25f, n);
        Close(backend.ToArray(yb), x.Select(v => -1.5 * v + 0.25).ToArray(), GemmTolerance, "affine");
    }
}
