using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Tests;

/// <summary>
/// The backends every kernel test runs against, by name. Tests are written against the abstract
/// <see cref="Backend"/>; adding a backend (e.g. ILGPU's CPU accelerator) is one line in <see cref="All"/>.
/// Each test creates its own instance so pool bookkeeping starts from zero.
/// </summary>
public static class KernelTestBackends
{
    public sealed record Entry(string Name, Func<Backend> Create, bool Slow = false)
    {
        public override string ToString() => Name;
    }

    public static readonly IReadOnlyList<Entry> All =
    [
        new("cpu", () => new CpuBackend()),
    ];

    /// <summary>MemberData source: one row per backend name.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var e in All) data.Add(e.Name);
            return data;
        }
    }

    public static Backend Create(string name) =>
        (All.FirstOrDefault(e => e.Name == name) ?? throw new ArgumentException($"unknown test backend {name}")).Create();

    /// <summary>True where sizes should stay small because every launch is expensive (simulators).</summary>
    public static bool IsSlow(string name) => All.First(e => e.Name == name).Slow;
}

/// <summary>Upload/download shorthands, deterministic inputs and the normwise error measure.</summary>
internal static class K
{
    public static DeviceBuffer<float> Upload(Backend backend, float[] data)
    {
        var buffer = backend.Allocate<float>(data.Length);
        backend.Upload<float>(data, buffer);
        return buffer;
    }

    public static DeviceBuffer<int> Upload(Backend backend, int[] data)
    {
        var buffer = backend.Allocate<int>(data.Length);
        backend.Upload<int>(data, buffer);
        return buffer;
    }

    public static float[] Random(int n, int seed, double lo = -1, double hi = 1)
    {
        var rng = new System.Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return x;
    }

    public static double[] ToDouble(float[] x) => Array.ConvertAll(x, v => (double)v);

    /// <summary>‖got − expected‖₂ / ‖expected‖₂ (absolute when the reference is zero).</summary>
    public static double NormwiseError(ReadOnlySpan<float> got, ReadOnlySpan<double> expected)
    {
        if (got.Length != expected.Length) throw new ArgumentException($"length {got.Length} vs {expected.Length}");
        double num = 0, den = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double d = got[i] - expected[i];
            num += d * d;
            den += expected[i] * expected[i];
        }
        return den == 0 ? Math.Sqrt(num) : Math.Sqrt(num / den);
    }

    public static void AssertClose(ReadOnlySpan<float> got, ReadOnlySpan<double> expected, double tolerance, string what)
    {
        for (int i = 0; i < got.Length; i++)
            Assert.False(float.IsNaN(got[i]) && !double.IsNaN(expected[i]), $"{what}: NaN at {i}");
        double err = NormwiseError(got, expected);
        Assert.True(err <= tolerance, $"{what}: normwise error {err:E3} exceeds {tolerance:E1}");
    }

    public static void AssertBitIdentical(ReadOnlySpan<float> a, ReadOnlySpan<float> b, string what)
    {
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
                Assert.Fail($"{what}: element {i} differs ({a[i]:R} vs {b[i]:R})");
    }
}
