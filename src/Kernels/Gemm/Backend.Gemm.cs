using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// Dense single-precision GEMM, row-major, batched by strides (<see cref="GemmSpec"/>): linear
/// layers, attention's products and the LSTM's two input/hidden products all run on it.
/// </summary>
public abstract partial class Backend
{
    /// <summary>C = α·op(A)·op(B) + β·C for each of spec.Batch products (see <see cref="GemmSpec"/>); C is not read when β = 0.</summary>
    public void Gemm(in GemmSpec spec, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c)
    {
        if (spec.M <= 0 || spec.N <= 0 || spec.K <= 0 || spec.Batch <= 0)
            throw new ArgumentException($"Gemm {spec}: M, N, K and Batch must be positive");
        if (spec.StrideA < 0 || spec.StrideB < 0 || spec.StrideC < 0)
            throw new ArgumentException($"Gemm {spec}: strides must be ≥ 0");
        if (spec.Batch > 1 && spec.StrideC < (long)spec.M * spec.N)
            throw new ArgumentException($"Gemm {spec}: StrideC {spec.StrideC} makes the {spec.Batch} outputs overlap");
        CheckLength($"Gemm {spec}", "A", a, spec.RequiredA);
        CheckLength($"Gemm {spec}", "B", b, spec.RequiredB);
        CheckLength($"Gemm {spec}", "C", c, spec.RequiredC);
        using var profile = Profile(OpFamily.Gemm, spec.Flops, 4.0 * (spec.RequiredA + spec.RequiredB + spec.RequiredC));
        RunGemm(spec, a, b, c);
    }

    protected abstract void RunGemm(in GemmSpec spec, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c);
}
