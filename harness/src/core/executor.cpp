// pop3::harness::executor: the public face of the step interpreter.
#include "pop3/harness/executor.hpp"

#include "interpreter.hpp"

namespace pop3::harness {

struct executor::impl {
  detail::interpreter run;
  impl(const scenario& s, run_context ctx) : run(s, std::move(ctx)) {}
};

executor::executor(const scenario& s, run_context ctx) : impl_(std::make_unique<impl>(s, std::move(ctx))) {}
executor::~executor() = default;
executor::executor(executor&&) noexcept = default;

action executor::next() { return impl_->run.next(); }
void executor::on(const event& e) { impl_->run.on(e); }
const reports::scenario_result& executor::result() const { return impl_->run.result(); }
const std::vector<recorded_response>& executor::recording() const { return impl_->run.recording(); }

}  // namespace pop3::harness
