#if canImport(Glibc)
import Glibc
#endif

/// Runs the command line on jemalloc when the machine has it.
///
/// Measured with `bash perf/run.sh`, which runs every workload on both allocators (each report in `perf/results`
/// has a table of them), in every profile round since 2026-11-29: jemalloc has not lost beyond this machine's noise,
/// and it wins where objects made on one worker are freed on another. The fifteenth round's final five runs
/// (2026-11-30): jemalloc ÷ glibc 0.96× to 1.02× on pass_chain_10, 1.00× to 1.02× on order_processing, 1.03× to
/// 1.11× on parallel_4x3, 1.01× to 1.05× on map_100x3, 1.00× to 1.03× on choice_heavy (the bench's runs now made and
/// freed by one worker); the fourteenth's, 1.03× to 1.08×, 1.01× to 1.04×, 1.04× to 1.06×, 0.99× to 1.05× and
/// 0.99× to 1.08×; the thirteenth's, 1.04× to
/// 1.13×, 1.03× to 1.11×, 1.02× to 1.06×, 1.01× to 1.03× and 1.01× to 1.07×; the twelfth's, 1.04× to 1.17× on
/// pass_chain_10 (0.70× in one run whose jemalloc half fell into a slow phase of the machine), 1.02× to 1.11× on
/// order_processing, 1.02× to 1.07× on parallel_4x3, 0.97× to 1.03× on map_100x3, 0.99× to 1.06× on choice_heavy;
/// the eleventh's ten, 1.09× to 1.58×,
/// 1.00× to 1.51×, 1.02× to 1.33×, 0.90× to 1.02× and 0.98× to 1.01×; the first five (2026-11-29), 1.03× to 1.22× on
/// map_100x3, the most allocation-heavy workload then, and noise elsewhere. So jemalloc is kept. Linking it would make
/// `libjemalloc-dev` a build requirement; instead the process re-executes itself once with
/// `LD_PRELOAD=libjemalloc.so.2` when that library is installed. `QUICKSTEP_ALLOCATOR=glibc` keeps glibc's malloc.
/// Programs that embed the engine choose their own allocator.
public enum Allocator {
    static let candidates = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
                             "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2"]

    /// Re-executes the process on jemalloc if it is installed, wanted, and not loaded yet; returns otherwise.
    public static func preferJemalloc() {
        #if os(Linux)
        let wanted = getenv("QUICKSTEP_ALLOCATOR").map { String(cString: $0) } ?? "jemalloc"
        guard wanted == "jemalloc" else { return }
        let preload = getenv("LD_PRELOAD").map { String(cString: $0) } ?? ""
        guard !preload.contains("jemalloc"),
            let library = candidates.first(where: { access($0, R_OK) == 0 })
        else { return }
        setenv("LD_PRELOAD", preload.isEmpty ? library : library + ":" + preload, 1)
        // Marks the attempt, so a failed preload cannot loop.
        setenv("QUICKSTEP_ALLOCATOR", "jemalloc-loaded", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed; carry on with glibc's malloc.
        #endif
    }
}
