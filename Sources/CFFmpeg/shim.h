#ifndef DUB_CFFMPEG_SHIM_H
#define DUB_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
#include <libavutil/tx.h>
#include <libswresample/swresample.h>

/* Function-like and composite macros Swift cannot import. */

static inline int dub_averror(int posix) { return AVERROR(posix); }
static inline int dub_averror_eof(void) { return AVERROR_EOF; }
static inline int dub_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t dub_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int dub_av_time_base(void) { return AV_TIME_BASE; }

/* Default disposition flag and the flags read from format/codec structs. */
static inline int dub_disposition_default(void) { return AV_DISPOSITION_DEFAULT; }
static inline int dub_fmt_globalheader(void) { return AVFMT_GLOBALHEADER; }
static inline int dub_fmt_nofile(void) { return AVFMT_NOFILE; }
static inline int dub_codec_flag_global_header(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }
static inline int dub_avio_flag_write(void) { return AVIO_FLAG_WRITE; }

/* Describe a channel layout into a caller buffer ("stereo", "5.1(side)"). */
static inline int dub_channel_layout_describe(const AVChannelLayout *l, char *buf, size_t size) {
    return av_channel_layout_describe(l, buf, size);
}

/* av_log_set_level takes an int macro; expose the levels. */
static inline void dub_av_log_quiet(void) { av_log_set_level(AV_LOG_QUIET); }
static inline void dub_av_log_error(void) { av_log_set_level(AV_LOG_ERROR); }

#endif
