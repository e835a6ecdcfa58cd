// Subcommands of mmsim defined outside mmsim.cpp.
#pragma once

namespace mmcli {

// mmsim lesson list|check|show ... (lesson_cmd.cpp)
int cmd_lesson(int argc, char** argv);
// mmsim quiz --topic T --seed S ... (quiz_cmd.cpp)
int cmd_quiz(int argc, char** argv);

}  // namespace mmcli
