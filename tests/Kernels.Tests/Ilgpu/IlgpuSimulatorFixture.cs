using SparseCore.Kernels.Ilgpu;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Tests.Ilgpu;

/// <summary>One CPU-simulator backend (kernels compiled once) shared by every ILGPU kernel test class.</summary>
public sealed class IlgpuSimulatorFixture : IDisposable
{
    public IlgpuSimulatorFixture() => Backend = IlgpuBackend.CreateCpuSimulator();

    public IlgpuBackend Backend { get; }

    public void Dispose() => Backend.Dispose();
}

/// <summary>
/// The ILGPU kernel tests of all families share one simulator (compiling the kernels takes seconds)
/// and run one class at a time, as xunit runs a collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class IlgpuSimulatorCollection : ICollectionFixture<IlgpuSimulatorFixture>
{
    public const string Name = "ILGPU simulator";
}

/// <summary>Host-side helpers: seeded data, uploads, and the normwise error ‖got − want‖ / ‖want‖.</summary>
internal static class Host
{
    public static float[] Rand(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new System.Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return v;
    }

    public static DeviceBuffer<T> Upload<T>(Backend backend, T[] data) where T : unmanaged
    {
        var buffer = backend.Allocate<T>(data.Length);
        backend.Upload<T>(data, buffer);
        return buffer;
    }

    public static double NormwiseError(float[] got, double[] want)
    {
        Assert.Equal(want.Length, got.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < want.Length; i++)
        {
            Assert.False(double.IsNaN(got[i]) && !double.IsNaN(want[i]), $"NaN at {i}");
            diff += (got[i] - want[i]) * (got[i] - want[i]);
            norm += want[i] * want[i];
        }
        return norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
    }

    public static void Close(float[] got, double[] want, double tolerance, string what)
    {
        double error = NormwiseError(got, want);
        Assert.True(error <= tolerance, $"{what}: normwise error {error:E2} > {tolerance:E0}");
    }

    public const double GemmTolerance = 1e-5;
    public const double TranscendentalTolerance = 1e-3;
}
