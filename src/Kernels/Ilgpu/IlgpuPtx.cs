using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// The PTX of every registered kernel, compiled offline for sm_80 with the engine's own context
/// settings (no GPU needed): what the PTX tests read, and what `gpu-check --ptx-dir` writes out so
/// a machine with the CUDA toolkit can run `ptxas -v` on exactly the code the driver will get.
/// </summary>
public static class IlgpuPtx
{
    /// <summary>The names of the registered kernels, in registry order.</summary>
    public static IReadOnlyList<string> KernelNames => IlgpuKernelRegistry.All.Select(e => e.Name).ToList();

    /// <summary>(kernel name, PTX text) for every registered kernel.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> CompileAll()
    {
        using var compiler = new Compiler();
        return IlgpuKernelRegistry.All.Select(e => new KeyValuePair<string, string>(e.Name, compiler.Compile(e))).ToList();
    }

    /// <summary>The PTX of the registered kernel named <paramref name="name"/>.</summary>
    public static string Compile(string name)
    {
        var entry = IlgpuKernelRegistry.All.FirstOrDefault(e => e.Name == name)
            ?? throw new ArgumentException($"no registered ILGPU kernel named '{name}'");
        using var compiler = new Compiler();
        return compiler.Compile(entry);
    }

    /// <summary>Writes NAME.ptx per kernel into <paramref name="folder"/>; returns the files written.</summary>
    public static IReadOnlyList<string> WriteAll(string folder)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var (name, ptx) in CompileAll())
        {
            string path = Path.Combine(folder, name + ".ptx");
            File.WriteAllText(path, ptx);
            files.Add(path);
        }
        return files;
    }

    internal sealed class Compiler : IDisposable
    {
        private readonly Context context = Context.Create(b => IlgpuBackend.Configure(b));
        private readonly PTXBackend backend;

        public Compiler() => backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80),
            CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null);

        public string Compile(IlgpuKernelEntry entry)
        {
            var description = entry.Style == IlgpuKernelStyle.ImplicitlyGrouped
                ? EntryPointDescription.FromImplicitlyGroupedKernel(entry.Method)
                : EntryPointDescription.FromExplicitlyGroupedKernel(entry.Method);
            return ((PTXCompiledKernel)backend.Compile(description, entry.Specialization)).PTXAssembly;
        }

        public void Dispose()
        {
            backend.Dispose();
            context.Dispose();
        }
    }
}
