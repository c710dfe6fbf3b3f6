// The broken stores: the real maildir_store with its locking changed.
#include "broken_stores.hpp"

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace pop3::mutation {
namespace {

using steady = std::chrono::steady_clock;

class no_lock final : public refd::maildrop_lock {};

class lockless_store final : public refd::maildir_store {
 public:
  using maildir_store::maildir_store;
  std::unique_ptr<refd::maildrop_lock> try_lock(const std::string& user, refd::store_errc& err) override {
    // The real lock is taken and dropped at once, so the Maildir is still created as usual.
    const auto real = maildir_store::try_lock(user, err);
    if (!real && err != refd::store_errc::in_use) return nullptr;
    err = refd::store_errc::ok;
    return std::make_unique<no_lock>();
  }
};

// Flow: try_lock() wraps the real lock; when the session drops the wrapper, the real lock moves
// to a list with a release time; every try_lock() first drops the locks whose time has come.
class lingering_lock_store final : public refd::maildir_store {
 public:
  lingering_lock_store(const std::filesystem::path& root, std::chrono::milliseconds linger)
      : maildir_store(root), linger_(linger) {}

  std::unique_ptr<refd::maildrop_lock> try_lock(const std::string& user, refd::store_errc& err) override {
    release_due();
    auto real = maildir_store::try_lock(user, err);
    if (!real) return nullptr;
    return std::make_unique<lingering>(std::move(real), *this);
  }

 private:
  class lingering final : public refd::maildrop_lock {
   public:
    lingering(std::unique_ptr<refd::maildrop_lock> real, lingering_lock_store& store)
        : real_(std::move(real)), store_(store) {}
    ~lingering() override { store_.keep(std::move(real_)); }

   private:
    std::unique_ptr<refd::maildrop_lock> real_;
    lingering_lock_store& store_;
  };

  void keep(std::unique_ptr<refd::maildrop_lock> lock) {
    const std::scoped_lock guard(mutex_);
    kept_.emplace_back(steady::now() + linger_, std::move(lock));
  }

  void release_due() {
    const std::scoped_lock guard(mutex_);
    std::erase_if(kept_, [now = steady::now()](const auto& k) { return k.first <= now; });
  }

  std::chrono::milliseconds linger_;
  std::mutex mutex_;
  std::vector<std::pair<steady::time_point, std::unique_ptr<refd::maildrop_lock>>> kept_;
};

class renaming_store final : public refd::maildir_store {
 public:
  renaming_store(const std::filesystem::path& root, uid_scheme scheme) : maildir_store(root), scheme_(scheme) {}
  std::vector<refd::message_entry> scan(const std::string& user, refd::store_errc& err) override {
    auto entries = maildir_store::scan(user, err);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto& e = entries[i];
      if (scheme_ == uid_scheme::by_position) {
        e.uid = "n" + std::to_string(i + 1);
        continue;
      }
      refd::store_errc read_err{};
      const auto content = read(e, read_err);
      e.uid = "h" + std::to_string(std::hash<std::string>{}(content.value_or(e.file_key)));
    }
    return entries;
  }

 private:
  uid_scheme scheme_;
};

}  // namespace

std::shared_ptr<refd::maildir_store> make_uid_store(const std::filesystem::path& root, uid_scheme scheme) {
  return std::make_shared<renaming_store>(root, scheme);
}

std::shared_ptr<refd::maildir_store> make_lockless_store(const std::filesystem::path& root) {
  return std::make_shared<lockless_store>(root);
}

std::shared_ptr<refd::maildir_store> make_lingering_lock_store(const std::filesystem::path& root,
                                                               std::chrono::milliseconds linger) {
  return std::make_shared<lingering_lock_store>(root, linger);
}

}  // namespace pop3::mutation
