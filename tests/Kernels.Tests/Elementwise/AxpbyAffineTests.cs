namespace SparseCore.Kernels.Tests.Elementwise;

/// <summary>Axpby and Affine against double references, including the write-only beta = 0 case.</summary>
public class AxpbyAffineTests
{
    public static TheoryData<string, int> Sizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var b in KernelTestBackends.All)
            foreach (int n in new[] { 1, 7, 1003, 1_000_003 }) data.Add(b.Name, n);
        return data;
    }

    private const int Tail = 5; // elements past n that must stay untouched

    private static double[] Run(Backend backend, float alpha, float[] x, float beta, float[] y0, int n, out float[] got)
    {
        using var xb = K.Upload(backend, x);
        using var yb = K.Upload(backend, y0);
        backend.Axpby(alpha, xb, beta, yb, n);
        got = backend.ToArray(yb);
        var expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = (double)alpha * x[i] + (beta == 0 ? 0 : (double)beta * y0[i]);
        for (int i = n; i < y0.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(got[i]) == BitConverter.SingleToInt32Bits(y0[i]), $"Axpby wrote past n at {i}");
        return expected;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Axpby_general(string backendName, int n)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = K.Random(n + Tail, 1); var y = K.Random(n + Tail, 2);
        var expected = Run(backend, 1.5f, x, -0.75f, y, n, out var got);
        K.AssertClose(got.AsSpan(0, n), expected, 1e-5, $"Axpby(1.5, -0.75) n={n}");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Axpby_beta_one_accumulates(string backendName, int n)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = K.Random(n + Tail, 3); var y = K.Random(n + Tail, 4);
        var expected = Run(backend, -0.3f, x, 1f, y, n, out var got);
        K.AssertClose(got.AsSpan(0, n), expected, 1e-5, $"Axpby(-0.3, 1) n={n}");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Axpby_beta_zero_does_not_read_y(string backendName, int n)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = K.Random(n + Tail, 5);
        var y = new float[n + Tail];
        Array.Fill(y, float.NaN);
        for (int i = 0; i < y.Length; i += 3) y[i] = float.PositiveInfinity;
        var expected = Run(backend, 2.5f, x, 0f, y, n, out var got);
        for (int i = 0; i < n; i++) Assert.True(float.IsFinite(got[i]), $"beta = 0 propagated {got[i]} from y at {i}");
        K.AssertClose(got.AsSpan(0, n), expected, 1e-5, $"Axpby(2.5, 0) n={n}");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Affine_matches_the_double_reference_and_works_in_place(string backendName, int n)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var x = K.Random(n + Tail, 6, -3, 3);
        foreach (var (scale, shift) in new[] { (2.5f, -1.25f), (-0.5f, 0f), (0f, 3f) })
        {
            var expected = new double[n];
            for (int i = 0; i < n; i++) expected[i] = (double)scale * x[i] + shift;

            using var xb = K.Upload(backend, x);
            using var yb = backend.Allocate<float>(n + Tail);
            backend.Fill(yb, -7f);
            backend.Affine(xb, yb, scale, shift, n);
            var got = backend.ToArray(yb);
            K.AssertClose(got.AsSpan(0, n), expected, 1e-5, $"Affine({scale}, {shift}) n={n}");
            for (int i = n; i < n + Tail; i++) Assert.Equal(-7f, got[i]);

            backend.Affine(xb, xb, scale, shift, n); // documented: y may be x
            K.AssertClose(backend.ToArray(xb).AsSpan(0, n), expected, 1e-5, $"in-place Affine({scale}, {shift}) n={n}");
        }
    }
}
