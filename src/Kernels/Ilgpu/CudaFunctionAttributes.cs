using System.Runtime.InteropServices;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// cuFuncGetAttribute, which ILGPU 1.5.3 does not wrap: the register count and local (spill)
/// memory of a loaded CUDA function are only known after the driver has compiled its PTX, so this
/// is the one way to see them on a machine without the CUDA toolkit's ptxas.
/// </summary>
internal static partial class CudaFunctionAttributes
{
    // CUfunction_attribute values from cuda.h.
    public const int MaxThreadsPerBlock = 0, SharedSizeBytes = 1, LocalSizeBytes = 3, NumRegs = 4;

    [LibraryImport("libcuda.so.1")]
    private static partial int cuFuncGetAttribute(out int value, int attribute, IntPtr function);

    /// <summary>The attribute, or null when the driver call fails (the library missing, a bad handle).</summary>
    public static int? Get(IntPtr function, int attribute)
    {
        try
        {
            return cuFuncGetAttribute(out int value, attribute, function) == 0 ? value : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Where the process mapped libcuda from (Linux /proc/self/maps), or null when it did not.</summary>
    public static string? LoadedLibraryPath()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int at = line.IndexOf('/');
                if (at >= 0 && line.Contains("libcuda.so", StringComparison.Ordinal)) return line[at..];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
