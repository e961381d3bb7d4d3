using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>Batched GEMM: one <c>CpuGemm.Sgemm</c> per batch entry, each at its strides.</summary>
public partial class CpuBackend
{
    protected override void RunGemm(in GemmSpec spec, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c)
    {
        var aa = ArrayOf(a); var ba = ArrayOf(b); var ca = ArrayOf(c);
        int sizeA = spec.M * spec.K, sizeB = spec.K * spec.N, sizeC = spec.M * spec.N;
        for (int i = 0; i < spec.Batch; i++)
        {
            CpuGemm.Sgemm(spec.TransA, spec.TransB, spec.M, spec.N, spec.K, spec.Alpha,
                aa.AsSpan((int)(i * spec.StrideA), sizeA), ba.AsSpan((int)(i * spec.StrideB), sizeB),
                spec.Beta, ca.AsSpan((int)(i * spec.StrideC), sizeC));
        }
    }
}
