using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the pointwise kernels of <see cref="IlgpuElementwiseKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Above this many mid elements (with inner = 1) db uses one thread per element instead of one group.</summary>
    private const int GradBPerThreadMinMid = 1024;

    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, float> fillKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int> unaryKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> unaryBackwardKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> binaryKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> binaryGradAKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int> binaryGradBPerThreadKernel = null!;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int> binaryGradBPerGroupKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, float, float> axpbyKernel = null!;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, float, float> affineKernel = null!;

    private void LoadElementwise()
    {
        fillKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, int, float>>(IlgpuKernelRegistry.Fill);
        unaryKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.Unary);
        unaryBackwardKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>>(IlgpuKernelRegistry.UnaryBackward);
        binaryKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>>(IlgpuKernelRegistry.Binary);
        binaryGradAKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>>(IlgpuKernelRegistry.BinaryGradA);
        binaryGradBPerThreadKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int>>(IlgpuKernelRegistry.BinaryGradBPerThread);
        binaryGradBPerGroupKernel = LoadExplicit<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int, int>>(IlgpuKernelRegistry.BinaryGradBPerGroup);
        axpbyKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, float, float>>(IlgpuKernelRegistry.Axpby);
        affineKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, int, float, float>>(IlgpuKernelRegistry.Affine);
    }

    protected override void RunFill(DeviceBuffer<float> y, float value)
        => fillKernel(stream, FlatThreads(y.Length), View(y), y.Length, value);

    protected override void RunUnary(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, int n)
        => unaryKernel(stream, FlatThreads(n), View(x), View(y), n, (int)op);

    protected override void RunUnaryBackward(UnaryOp op, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n)
        => unaryBackwardKernel(stream, FlatThreads(n), View(x), View(y), View(dy), View(dx), n, (int)op);

    protected override void RunBinary(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> y, Broadcast shape)
        => binaryKernel(stream, FlatThreads(shape.Total), View(a), View(b), View(y), shape.Total, shape.Mid, shape.Inner, (int)op);

    protected override void RunBinaryBackward(BinaryOp op, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> dy,
                                              DeviceBuffer<float>? da, DeviceBuffer<float>? db, Broadcast shape)
    {
        // db first: da may alias a or dy in callers that accumulate in place.
        if (db is not null)
        {
            // Both forms sum fixed parts (IlgpuBackend.Parts.cs), then add the parts in order.
            if (shape.Inner == 1 && shape.Mid >= GradBPerThreadMinMid)
            {
                var (parts, rowsPerPart) = RowParts(shape.Outer);
                using var partial = Allocate<float>(checked(parts * shape.Mid));
                binaryGradBPerThreadKernel(stream, new Index1D(parts * shape.Mid), View(a), View(b), View(dy), View(partial),
                    shape.Outer, shape.Mid, shape.Inner, (int)op, rowsPerPart);
                SumPartsInOrder(partial, db, shape.Mid, parts);
            }
            else
            {
                var (parts, partLength) = ReductionParts(shape.Outer * shape.Inner);
                using var partial = Allocate<float>(checked(parts * shape.Mid));
                binaryGradBPerGroupKernel(stream, new KernelConfig(shape.Mid * parts, RowGroupSize(partLength)),
                    View(a), View(b), View(dy), View(partial), shape.Outer, shape.Mid, shape.Inner, (int)op, parts, partLength);
                SumPartsInOrder(partial, db, shape.Mid, parts);
            }
        }
        if (da is not null)
            binaryGradAKernel(stream, FlatThreads(shape.Total), View(a), View(b), View(dy), View(da), shape.Total, shape.Mid, shape.Inner, (int)op);
    }

    protected override void RunAxpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, int n)
        => axpbyKernel(stream, FlatThreads(n), View(x), View(y), n, alpha, beta);

    protected override void RunAffine(DeviceBuffer<float> x, DeviceBuffer<float> y, float scale, float shift, int n)
        => affineKernel(stream, FlatThreads(n), View(x), View(y), n, scale, shift);
}
