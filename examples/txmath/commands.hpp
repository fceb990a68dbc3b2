#pragma once
// The subcommands of the txmath tool. Each takes the arguments after its own name and
// returns the process exit code; errors go to stderr as "txmath: ...".
namespace txmath::cli {
int run_einsum(int argc, char** argv);  // txmath einsum "btd,df->btf" b=8 t=1024 ...
int run_path(int argc, char** argv);    // txmath path "ij,jk,kl->il" i=10 ... --optimize dp
}  // namespace txmath::cli
